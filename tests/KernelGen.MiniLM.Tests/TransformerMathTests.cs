using System;
using System.Linq;
using Xunit;

namespace KernelGen.MiniLM.Tests;

/// <summary>The encoder's element-wise math against values computed in float64.</summary>
public class TransformerMathTests
{
    /// <summary>GELU(x) = x·Φ(x) at points where Φ is tabulated to 16 digits.</summary>
    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(0.5, 0.5 * 0.6914624612740131)]
    [InlineData(1.0, 0.8413447460685429)]
    [InlineData(-1.0, -1.0 * 0.15865525393145707)]
    [InlineData(2.0, 2.0 * 0.9772498680518208)]
    [InlineData(-3.0, -3.0 * 0.0013498980316300946)]
    [InlineData(6.0, 6.0 * 0.9999999990134123)]
    [InlineData(-8.0, 0.0)] // −8·Φ(−8) ≈ −5e-15: below float resolution near 0
    public void Gelu_matches_x_times_the_normal_cdf(double x, double expected)
    {
        // The erfc fit is good to 1.2e-7 relative; float rounding of x·Φ adds ~6e-8 relative: 1e-6 absolute for |x| ≤ 8.
        var vector = Enumerable.Repeat((float)x, 37).ToArray(); // 37: two 16-wide vectors and a scalar tail
        TransformerMath.Gelu(vector);
        Assert.All(vector, y => Assert.True(Math.Abs(y - expected) <= 1e-6, $"GELU({x}) = {y:R}, expected {expected:R}"));
        Assert.True(Math.Abs(TransformerMath.Gelu((float)x) - expected) <= 1e-6);
    }

    [Fact]
    public void LayerNorm_matches_float64()
    {
        var random = new Random(7);
        const int Width = 384, Rows = 3;
        float[] x = Enumerable.Range(0, Width * Rows).Select(_ => (float)(random.NextDouble() * 8 - 3)).ToArray();
        float[] scale = Enumerable.Range(0, Width).Select(_ => (float)random.NextDouble() + 0.5f).ToArray();
        float[] shift = Enumerable.Range(0, Width).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var y = new float[x.Length];

        TransformerMath.LayerNorm(x, y, Width, scale, shift);

        for (int r = 0; r < Rows; r++)
        {
            double[] row = x.Skip(r * Width).Take(Width).Select(v => (double)v).ToArray();
            double mean = row.Average(), variance = row.Average(v => (v - mean) * (v - mean));
            for (int i = 0; i < Width; i++)
            {
                double expected = (row[i] - mean) / Math.Sqrt(variance + 1e-12) * scale[i] + shift[i];
                // Normalized values are O(1) after 384-term float sums: rounding ~1e-6; 1e-5 leaves headroom.
                Assert.True(Math.Abs(y[r * Width + i] - expected) <= 1e-5, $"row {r}, column {i}: {y[r * Width + i]:R} vs {expected:R}");
            }
        }
    }
}

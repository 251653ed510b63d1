using System;
using System.Linq;
using System.Runtime.Intrinsics;
using Xunit;

namespace KernelGen.Runtime.Tests;

/// <summary><see cref="RowVectors"/> on every width against float64, and <see cref="SmallMatrix.Transpose"/> element by element.</summary>
public sealed class RowVectorsAndTransposeTests
{
    private const int Length = 48; // a multiple of 16, 8 and 1: three 512-bit vectors

    [Fact]
    public void Row_operations_match_float64_on_every_width()
    {
        var random = new Random(17);
        float[] x = Enumerable.Range(0, Length).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        float[] y = Enumerable.Range(0, Length).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        double dot = 0, sum = 0, magnitude = 0, absolute = 0;
        for (int i = 0; i < Length; i++)
        {
            dot += (double)x[i] * y[i];
            magnitude += Math.Abs((double)x[i] * y[i]);
            sum += x[i];
            absolute += Math.Abs(x[i]);
        }
        // A sum of n terms in any order: error ≤ (n − 1)·u·Σ|terms|, u = 2⁻²⁴.
        double bound = (Length - 1) * Math.Pow(2, -24);
        Check<Simd512, Vector512<float>>();
        Check<Simd256, Vector256<float>>();
        Check<SimdScalar, float>();

        void Check<TWidth, TVector>() where TWidth : struct, ISimdWidth<TVector> where TVector : struct
        {
            string width = typeof(TWidth).Name;
            Assert.True(Math.Abs(RowVectors.Dot<TWidth, TVector>(x, y, Length) - dot) <= bound * magnitude, $"{width} Dot");
            Assert.True(Math.Abs(RowVectors.Sum<TWidth, TVector>(x, Length) - sum) <= bound * absolute, $"{width} Sum");
            float[] scaled = new float[Length], added = (float[])y.Clone();
            RowVectors.Scale<TWidth, TVector>(x, -0.75f, scaled, Length);
            RowVectors.AddScaled<TWidth, TVector>(x, 0.5f, added, Length);
            for (int i = 0; i < Length; i++)
            {
                Assert.Equal(-0.75f * x[i], scaled[i]); // one rounding either way
                Assert.Equal(MathF.FusedMultiplyAdd(x[i], 0.5f, y[i]), added[i]); // x·0.5 is exact, so fused or not agree
            }
        }
    }

    [Fact]
    public void Row_operations_reject_a_length_that_does_not_fit()
    {
        float[] x = new float[32];
        Assert.Equal("length", Assert.Throws<ArgumentException>(() => RowVectors.Dot<Simd512, Vector512<float>>(x, x, 24)).ParamName);
        Assert.Equal("length", Assert.Throws<ArgumentException>(() => RowVectors.Sum<Simd256, Vector256<float>>(x, 40)).ParamName);
        Assert.Equal("length", Assert.Throws<ArgumentException>(() => RowVectors.Scale<SimdScalar, float>(x, 1f, new float[3], 4)).ParamName);
    }

    [Theory]
    [InlineData(7, 5)]   // fewer than four rows left after the blocks of four
    [InlineData(64, 64)] // a full edge tile
    [InlineData(3, 9)]   // no block of four
    public void Transpose_moves_every_element(int rows, int columns)
    {
        const int sourceStride = 70, targetStride = 80;
        float[] source = Enumerable.Range(0, rows * sourceStride).Select(i => (float)i).ToArray();
        float[] target = Enumerable.Repeat(-1f, columns * targetStride).ToArray();
        SmallMatrix.Transpose(source, sourceStride, rows, columns, target, targetStride);
        for (int j = 0; j < columns; j++)
            for (int i = 0; i < targetStride; i++)
                Assert.Equal(i < rows ? source[i * sourceStride + j] : -1f, target[j * targetStride + i]);
        Assert.Equal("target", Assert.Throws<ArgumentException>(
            () => SmallMatrix.Transpose(source, sourceStride, rows, columns, new float[columns * targetStride - targetStride], targetStride)).ParamName);
    }
}

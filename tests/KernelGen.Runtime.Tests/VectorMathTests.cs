using System;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Xunit;

namespace KernelGen.Runtime.Tests;

/// <summary>The runtime's vector building blocks against float64: exp2 and the feature map.</summary>
public sealed class VectorMathTests
{
    /// <summary>
    /// The bounds VectorExp2 documents: relative error ≤ 1.5e-7 on [−126, 127] for the 16-float form (a table of
    /// 2^(j/16) and a cubic, on AVX-512), ≤ 2.5e-7 (about 2 ulp) for the 8-float form (a degree-6 polynomial). Checked
    /// on a dense grid (every 1/4096, so every multiple of 1/32 and 1/2 where the range reductions switch).
    /// </summary>
    [Fact]
    public void Exp2_is_within_its_stated_bound()
    {
        double worstWide = 0, worstNarrow = 0;
        for (double x0 = -126; x0 < 127; x0 += 16.0 / 4096)
        {
            var lanes = new float[16];
            for (int i = 0; i < 16; i++)
                lanes[i] = (float)(x0 + i / 4096.0);
            Vector512<float> wide = VectorExp2.Exp2(Vector512.Create(lanes));
            Vector256<float> narrow = VectorExp2.Exp2(Vector256.Create(lanes.AsSpan(0, 8)));
            for (int i = 0; i < 16; i++)
            {
                double exact = Math.Pow(2, lanes[i]);
                worstWide = Math.Max(worstWide, Math.Abs(wide[i] - exact) / exact);
                if (i < 8)
                    worstNarrow = Math.Max(worstNarrow, Math.Abs(narrow[i] - exact) / exact);
            }
        }
        // Without AVX-512 the 16-float form runs the 8-float one on each half.
        double wideBound = Avx512F.IsSupported ? 1.5e-7 : 2.5e-7;
        Assert.True(worstWide <= wideBound, $"16 floats: worst relative error {worstWide:e3}");
        Assert.True(worstNarrow <= 2.5e-7, $"8 floats: worst relative error {worstNarrow:e3}");
    }

    [Theory]
    [InlineData(-126.5f)]
    [InlineData(-1000f)]
    [InlineData(float.NegativeInfinity)]
    public void Exp2_below_the_normal_range_is_exactly_zero(float x)
    {
        Assert.Equal(0f, VectorExp2.Exp2(Vector512.Create(x))[0]);
        Assert.Equal(0f, VectorExp2.Exp2(Vector256.Create(x))[0]);
    }

    [Fact]
    public void Exp2_keeps_nan()
    {
        Assert.True(float.IsNaN(VectorExp2.Exp2(Vector512.Create(float.NaN))[3]));
        Assert.True(float.IsNaN(VectorExp2.Exp2(Vector256.Create(float.NaN))[3]));
    }

    /// <summary>
    /// φ on every path against float64 φ: the vector paths' exp(x) = exp2(x·log2 e) adds |x|·6e-8 of relative error
    /// to exp2's 2.5e-7; over x ∈ [−20, 20] that is ≤ 1.5e-6 relative.
    /// </summary>
    [Theory]
    [InlineData(CpuPath.Scalar)]
    [InlineData(CpuPath.Vector256)]
    [InlineData(CpuPath.Vector512)]
    public void Feature_map_matches_float64(CpuPath path)
    {
        if (path > AttentionCpu.Supported)
            return; // this machine cannot run the path; the scalar and narrower ones still run here
        var x = new float[1003]; // not a multiple of any width: the tail runs the scalar loop
        for (int i = 0; i < x.Length; i++)
            x[i] = -20f + 40f * i / (x.Length - 1);
        var phi = new float[x.Length];
        LinearFeatureMap.Apply(x, phi, path);
        for (int i = 0; i < x.Length; i++)
        {
            double exact = x[i] >= 0 ? x[i] + 1.0 : Math.Exp(x[i]);
            Assert.True(Math.Abs(phi[i] - exact) <= 1.5e-6 * exact, $"φ({x[i]}) = {phi[i]}, expected {exact} on {path}");
        }
    }
}

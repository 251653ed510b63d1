using System;
using System.Runtime.Intrinsics;
using Xunit;

namespace KernelGen.Runtime.Tests;

/// <summary>The runtime's vector building blocks against float64: exp2, the feature map, the small matrix product.</summary>
public sealed class VectorMathTests
{
    /// <summary>
    /// The bound VectorExp2 documents: relative error ≤ 2.5e-7 (about 2 ulp) on [−126, 127]. Checked on a dense grid
    /// (every 1/4096 plus the integers and half-integers where the range reduction switches), for both widths.
    /// </summary>
    [Fact]
    public void Exp2_is_within_its_stated_bound()
    {
        double worst = 0;
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
                worst = Math.Max(worst, Math.Abs(wide[i] - exact) / exact);
                if (i < 8)
                    worst = Math.Max(worst, Math.Abs(narrow[i] - exact) / exact);
            }
        }
        Assert.True(worst <= 2.5e-7, $"worst relative error {worst:e3}");
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

    /// <summary>
    /// C += α·A·B for every width, with A read transposed through strides, sizes that leave remainder rows (m % 4, and of the narrow columns' 8-row blocks)
    /// and remainder vectors (n % 4 vectors: column pairs and single columns), against a float64 product: fp32 sums of ≤ 70 products of values in
    /// [−1, 1] are within 70·ε·|terms| ≈ 1e-5. Without AVX-512 (tests/run-all.sh runs this project again so) the same cases go through the
    /// 16-register blocks: 4 × 2 everywhere, then single columns.
    /// </summary>
    [Theory]
    [InlineData(CpuPath.Scalar, 7, 72, 70, false, 1f)]
    [InlineData(CpuPath.Vector256, 7, 72, 70, true, -1f)]
    [InlineData(CpuPath.Vector256, 4, 40, 3, false, 1f)]
    [InlineData(CpuPath.Vector512, 9, 80, 65, true, 1f)]
    [InlineData(CpuPath.Vector512, 5, 64, 64, false, -1f)]
    [InlineData(CpuPath.Vector512, 15, 48, 33, false, -1f)] // narrow columns only: 8 rows, then 4, then 3 single rows
    [InlineData(CpuPath.Vector512, 17, 32, 64, true, -1f)] // a column pair: two 8 × 2 blocks, then one row per column
    [InlineData(CpuPath.Vector256, 12, 16, 20, true, 1f)] // a column pair with a 4-row remainder
    [InlineData(CpuPath.Vector512, 1, 32, 33, false, 1f)] // a lone row, odd depth: the even/odd sums and the last step
    public void Small_matrix_product_matches_float64(CpuPath path, int m, int n, int depth, bool transposedA, float alpha)
    {
        if (path > AttentionCpu.Supported)
            return;
        var random = new Random(m * 1000 + n + depth);
        float[] a = TestInputs.Uniform(random, m * depth, 1f), b = TestInputs.Uniform(random, depth * n, 1f), c = TestInputs.Uniform(random, m * n, 1f);
        // A[i, k] lives at a[i·rowStride + k·columnStride]: row-major, or stored as Aᵀ (depth × m).
        (int rowStride, int columnStride) = transposedA ? (1, m) : (depth, 1);
        var expected = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = c[i * n + j];
                for (int k = 0; k < depth; k++)
                    sum += alpha * (double)a[i * rowStride + k * columnStride] * b[k * n + j];
                expected[i * n + j] = sum;
            }

        switch (path)
        {
            case CpuPath.Vector512:
                SmallMatrix.MultiplyAdd<Simd512, Vector512<float>>(a, rowStride, columnStride, b, n, c, n, m, n, depth, alpha);
                break;
            case CpuPath.Vector256:
                SmallMatrix.MultiplyAdd<Simd256, Vector256<float>>(a, rowStride, columnStride, b, n, c, n, m, n, depth, alpha);
                break;
            default:
                SmallMatrix.MultiplyAdd<SimdScalar, float>(a, rowStride, columnStride, b, n, c, n, m, n, depth, alpha);
                break;
        }
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(c[i] - expected[i]) <= 1e-5, $"C[{i / n}, {i % n}] = {c[i]}, expected {expected[i]}");
    }

    [Fact]
    public void Small_matrix_product_rejects_a_width_that_does_not_divide_n()
        => Assert.Throws<ArgumentException>(() => SmallMatrix.MultiplyAdd<Simd256, Vector256<float>>(
            new float[12], 3, 1, new float[3 * 12], 12, new float[4 * 12], 12, 4, 12, 3));
}

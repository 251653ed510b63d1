using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace KernelGen.Runtime.Tests;

/// <summary>
/// <see cref="MatrixMultiply"/> against a float64 product on every CPU path, shapes chosen to cross each blocking
/// edge; the pre-packed overload bit for bit equal to it; bitwise equality across thread counts; no steady-state
/// allocation; bad arguments rejected before writing.
/// </summary>
[Collection(nameof(ProcessWideSettings))]
public sealed class MatrixMultiplyTests
{
    private const float Sentinel = 123f;

    /// <summary>(m, k, n) with the blocking edge each one crosses (6-row tiles, 128-deep slices, 192-row × 256-column blocks, 64/32/4-wide panels).</summary>
    public static readonly TheoryData<int, int, int> Shapes = new()
    {
        { 1, 1, 1 },
        { 0, 5, 3 },     // no rows: nothing written
        { 4, 3, 0 },     // no columns: nothing written
        { 3, 0, 5 },     // no depth: C = bias (or zeros)
        { 1, 384, 384 }, // one token: a single partial tile row
        { 7, 129, 65 },  // one row and one column past a tile, one step past a slice
        { 13, 300, 70 }, // three slices, the last partial
        { 193, 130, 33 }, // one row past a 192-row block
        { 5, 10, 257 },  // one column past a 256-column block
        { 1537, 20, 300 }, // 9 row blocks: one block spans all 5 panels of C (RowBlocksForWholeWidth), last block 1 row
    };

    public static IEnumerable<object[]> PathsAndShapes()
    {
        foreach (CpuPath path in Enum.GetValues<CpuPath>().Where(p => p <= AttentionCpu.Supported))
            foreach (object[] shape in Shapes)
                foreach (bool withBias in new[] { false, true })
                    yield return [path, shape[0], shape[1], shape[2], withBias];
    }

    /// <summary>
    /// Each element is a sequential fp32 sum of k products plus the bias, so |C − exact| ≤ γ · (|bias| + Σₚ |A·B|)
    /// with γ = (k + 1)·u / (1 − (k + 1)·u), u = 2⁻²⁴ (Higham, Accuracy and Stability, §3.1; a fused multiply-add
    /// only removes rounding steps). Elements of c past m·n must keep their sentinel.
    /// </summary>
    [Theory]
    [MemberData(nameof(PathsAndShapes))]
    public void Each_path_matches_a_float64_product(CpuPath path, int m, int k, int n, bool withBias)
    {
        var (a, b, bias) = Inputs(m, k, n, withBias, seed: m * 1000 + k * 10 + n);
        float[] c = Enumerable.Repeat(Sentinel, m * n + 7).ToArray();
        CpuPathAndThreadTests.WithPath(path, () =>
        {
            MatrixMultiply.Multiply(a, b, c, m, k, n, bias);
            return c;
        });

        double u = Math.Pow(2, -24), gamma = (k + 1) * u / (1 - (k + 1) * u);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double exact = bias.Length == 0 ? 0 : bias[j], magnitude = Math.Abs(exact);
                for (int p = 0; p < k; p++)
                {
                    double product = (double)a[i * k + p] * b[p * n + j];
                    exact += product;
                    magnitude += Math.Abs(product);
                }
                double error = Math.Abs(c[i * n + j] - exact);
                Assert.True(error <= gamma * magnitude,
                    $"{path}, {m}×{k}×{n}, bias {withBias}: C[{i},{j}] = {c[i * n + j]}, exact {exact}, error {error:E2} > bound {gamma * magnitude:E2}");
            }
        }
        Assert.All(c.Skip(m * n), value => Assert.Equal(Sentinel, value));
    }

    public static IEnumerable<object[]> PathsAndPackedShapes()
    {
        foreach (CpuPath path in Enum.GetValues<CpuPath>().Where(p => p <= AttentionCpu.Supported))
            foreach (var (m, k, n) in new[] { (1, 384, 384), (7, 129, 65), (193, 130, 33), (3, 0, 5) })
                yield return [path, m, k, n];
    }

    /// <summary>Packing once changes where B is read from, not a single sum: the packed overload gives the same bits.</summary>
    [Theory]
    [MemberData(nameof(PathsAndPackedShapes))]
    public void Packed_weights_give_the_same_bits(CpuPath path, int m, int k, int n)
    {
        var (a, b, bias) = Inputs(m, k, n, withBias: true, seed: m + k + n);
        float[] unpacked = new float[m * n], packed = Enumerable.Repeat(Sentinel, m * n + 3).ToArray();
        CpuPathAndThreadTests.WithPath(path, () =>
        {
            MatrixMultiply.Multiply(a, b, unpacked, m, k, n, bias);
            PackedWeights weights = PackedWeights.Create(b, k, n, bias);
            Assert.Equal((k, n, path), (weights.K, weights.N, weights.Path));
            MatrixMultiply.Multiply(a, weights, packed, m);
            return packed;
        });
        Assert.True(unpacked.AsSpan().SequenceEqual(packed.AsSpan(0, m * n)), $"{path}, {m}×{k}×{n}: packed differs from unpacked");
        Assert.All(packed.Skip(m * n), value => Assert.Equal(Sentinel, value));
    }

    [Fact]
    public void Packed_overload_rejects_bad_arguments_and_leaves_c_untouched()
    {
        PackedWeights weights = PackedWeights.Create(new float[12], 3, 4); // k = 3, n = 4
        float[] c = Enumerable.Repeat(Sentinel, 8).ToArray();
        Assert.Equal("weights", Assert.Throws<ArgumentNullException>(() => MatrixMultiply.Multiply(new float[6], null!, c, 2)).ParamName);
        Assert.Equal("m", Assert.ThrowsAny<ArgumentException>(() => MatrixMultiply.Multiply(new float[6], weights, c, -1)).ParamName);
        Assert.Equal("a", Assert.Throws<ArgumentException>(() => MatrixMultiply.Multiply(new float[5], weights, c, 2)).ParamName);
        Assert.Equal("c", Assert.Throws<ArgumentException>(() => MatrixMultiply.Multiply(new float[6], weights, c.AsSpan(0, 7), 2)).ParamName);
        Assert.All(c, value => Assert.Equal(Sentinel, value));
        Assert.Equal("b", Assert.Throws<ArgumentException>(() => PackedWeights.Create(new float[11], 3, 4)).ParamName);
        Assert.Equal("bias", Assert.Throws<ArgumentException>(() => PackedWeights.Create(new float[12], 3, 4, new float[3])).ParamName);
        Assert.Equal("k", Assert.ThrowsAny<ArgumentException>(() => PackedWeights.Create(new float[12], -1, 4)).ParamName);
    }

    /// <summary>Blocks are fixed by the shape, never by the thread count, and each sums in one order: same bits.</summary>
    [Fact]
    public void Thread_count_does_not_change_a_bit()
    {
        const int m = 200, k = 300, n = 300; // 2 row blocks × 2 column blocks, 3 slices
        var (a, b, bias) = Inputs(m, k, n, withBias: true, seed: 9);
        float[] Run(int threads) => CpuPathAndThreadTests.WithThreads(threads, () =>
        {
            var c = new float[m * n];
            MatrixMultiply.Multiply(a, b, c, m, k, n, bias);
            return c;
        });
        float[] one = Run(1);
        foreach (int threads in new[] { 2, 3 })
            Assert.True(one.AsSpan().SequenceEqual(Run(threads)), $"{threads} threads differ from 1 thread");
    }

    /// <summary>
    /// Whether a block spans one 256-column band or the whole width (from 8 row blocks on) decides only which thread
    /// computes a column: 8 row blocks and 7, 1 thread and 2, give the same sums for the rows they share.
    /// </summary>
    [Fact]
    public void Whole_width_blocks_give_the_same_bits_as_column_bands()
    {
        const int k = 150, n = 300, wide = 8 * GemmRowsPerBlock, narrow = 7 * GemmRowsPerBlock;
        var (a, b, bias) = Inputs(wide, k, n, withBias: true, seed: 11);
        float[] Run(int m, int threads) => CpuPathAndThreadTests.WithThreads(threads, () =>
        {
            var c = new float[m * n];
            MatrixMultiply.Multiply(a.AsSpan(0, m * k), b, c, m, k, n, bias);
            return c;
        });
        float[] wholeWidth = Run(wide, 2), bands = Run(narrow, 1);
        Assert.True(wholeWidth.AsSpan(0, narrow * n).SequenceEqual(bands), "whole-width blocks differ from 256-column bands");
        Assert.True(wholeWidth.AsSpan().SequenceEqual(Run(wide, 1)), "2 threads differ from 1 thread");
    }

    /// <summary>Rows per GEMM block (GemmBlocking.BlockRows: 32 slivers of 6 rows).</summary>
    private const int GemmRowsPerBlock = 192;

    /// <summary>As for the kernels: the quietest of 20 single-call windows, process-wide, after warm-up, must allocate 0 bytes.</summary>
    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(2, true)]
    public void Steady_state_calls_allocate_nothing(int threads, bool packed)
    {
        const int m = 100, k = 140, n = 300;
        var (a, b, bias) = Inputs(m, k, n, withBias: true, seed: 4);
        var c = new float[m * n];
        PackedWeights weights = PackedWeights.Create(b, k, n, bias);
        void Call()
        {
            if (packed)
                MatrixMultiply.Multiply(a, weights, c, m);
            else
                MatrixMultiply.Multiply(a, b, c, m, k, n, bias);
        }
        CpuPathAndThreadTests.WithThreads(threads, () =>
        {
            for (int warmUp = 0; warmUp < 10; warmUp++)
                Call();
            long quietest = long.MaxValue;
            for (int window = 0; window < 20; window++)
            {
                long before = GC.GetTotalAllocatedBytes(precise: true);
                Call();
                quietest = Math.Min(quietest, GC.GetTotalAllocatedBytes(precise: true) - before);
            }
            Assert.True(quietest == 0, $"{threads} thread(s), packed {packed}: {quietest} bytes in the quietest call of 20");
            return c;
        });
    }

    public static readonly TheoryData<string, int, int, int, int, int, int, int> BadCalls = new()
    {
        // expected parameter, m, k, n, a length, b length, c length, bias length
        { "m", -1, 3, 4, 12, 12, 12, 0 },
        { "k", 2, -1, 4, 12, 12, 12, 0 },
        { "n", 2, 3, -1, 12, 12, 12, 0 },
        { "a", 2, 3, 4, 5, 12, 8, 0 },
        { "b", 2, 3, 4, 6, 11, 8, 0 },
        { "c", 2, 3, 4, 6, 12, 7, 0 },
        { "bias", 2, 3, 4, 6, 12, 8, 3 },
        { "bias", 2, 3, 4, 6, 12, 8, 5 },
    };

    [Theory]
    [MemberData(nameof(BadCalls))]
    public void Bad_arguments_name_the_parameter_and_leave_c_untouched(string parameter, int m, int k, int n,
        int aLength, int bLength, int cLength, int biasLength)
    {
        float[] a = new float[aLength], b = new float[bLength], bias = new float[biasLength];
        float[] c = Enumerable.Repeat(Sentinel, cLength).ToArray();
        ArgumentException error = Assert.ThrowsAny<ArgumentException>(() => MatrixMultiply.Multiply(a, b, c, m, k, n, bias));
        Assert.Equal(parameter, error.ParamName);
        Assert.All(c, value => Assert.Equal(Sentinel, value));
    }

    private static (float[] A, float[] B, float[] Bias) Inputs(int m, int k, int n, bool withBias, int seed)
    {
        var random = new Random(seed);
        float[] Fill(int count) => Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        return (Fill(m * k), Fill(k * n), withBias ? Fill(n) : []);
    }
}

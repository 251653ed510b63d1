using System;
using System.Linq;
using System.Runtime.Intrinsics;
using Xunit;

namespace KernelGen.Runtime.Tests;

/// <summary>
/// The chunk kernels of linear attention against float64, on every width, with visible ranges that move at both ends
/// (a window), rows that see nothing, short chunks and edges of 1 to 16 keys. fp32 sums of ≤ 100 products of values
/// in [0, 2] against float64: within 1e-5 relative to the sum of the terms' magnitudes.
/// </summary>
public sealed class LinearChunkTests
{
    private const int Rows = LinearChunk.Rows;

    private readonly struct Dim64 : IHeadDimension
    {
        public static int Value => 64;
    }

    private readonly struct Dim48 : IHeadDimension
    {
        public static int Value => 48; // three 512-bit vectors: a pair, then a single column
    }

    private readonly struct Dim40 : IHeadDimension
    {
        public static int Value => 40; // five 256-bit vectors
    }

    /// <summary>Row r sees keys [starts[r], ends[r]): both ends move forward with the row; rows 3 and 4 see none.</summary>
    private static (int[] Starts, int[] Ends) Ranges(int firstKey)
    {
        int[] starts = new int[Rows], ends = new int[Rows];
        for (int r = 0; r < Rows; r++)
        {
            starts[r] = firstKey + r;
            ends[r] = r is 3 or 4 ? starts[r] : firstKey + r + 9;
        }
        return (starts, ends);
    }

    private static bool Sees(int[] starts, int[] ends, int r, int key) => starts[r] <= key && key < ends[r];

    [Theory]
    [InlineData(CpuPath.Scalar, 16, 16)]
    [InlineData(CpuPath.Vector256, 5, 16)]
    [InlineData(CpuPath.Vector512, 16, 16)]
    [InlineData(CpuPath.Vector512, 1, 7)]
    [InlineData(CpuPath.Vector512, 11, 9)]
    public void Edge_weights_match_float64_and_are_exactly_zero_where_a_row_does_not_see_the_key(CpuPath path, int keyCount, int rows)
    {
        if (path > AttentionCpu.Supported)
            return;
        var random = new Random(keyCount * 100 + rows);
        const int firstKey = 20;
        (int[] starts, int[] ends) = Ranges(firstKey - 6);
        float[] phiKeys = Positive(random, Rows * 64), phiQT = Positive(random, 64 * Rows);
        phiKeys[2 * 64 + 5] = float.NaN; // key 2 is NaN: only the rows that see it may be NaN
        float[] weights = new float[Rows * Rows], denominators = Positive(random, Rows), before = (float[])denominators.Clone();

        switch (path)
        {
            case CpuPath.Vector512:
                LinearChunk.EdgeWeights<Simd512, Vector512<float>, Dim64>(phiKeys, keyCount, phiQT, starts, ends, rows, firstKey, weights, denominators);
                break;
            case CpuPath.Vector256:
                LinearChunk.EdgeWeights<Simd256, Vector256<float>, Dim64>(phiKeys, keyCount, phiQT, starts, ends, rows, firstKey, weights, denominators);
                break;
            default:
                LinearChunk.EdgeWeights<SimdScalar, float, Dim64>(phiKeys, keyCount, phiQT, starts, ends, rows, firstKey, weights, denominators);
                break;
        }

        for (int r = 0; r < Rows; r++)
        {
            double sum = before[r], magnitude = Math.Abs(before[r]);
            for (int j = 0; j < keyCount; j++)
            {
                float actual = weights[j * Rows + r];
                if (r >= rows || !Sees(starts, ends, r, firstKey + j))
                {
                    Assert.True(actual == 0f, $"key {j}, row {r}: {actual}, expected exactly 0");
                    continue;
                }
                double exact = 0;
                for (int d = 0; d < 64; d++)
                    exact += (double)phiKeys[j * 64 + d] * phiQT[d * Rows + r];
                Assert.Equal(double.IsNaN(exact), float.IsNaN(actual));
                if (!double.IsNaN(exact))
                    Assert.True(Math.Abs(actual - exact) <= 1e-5 * exact, $"key {j}, row {r}: {actual}, expected {exact}");
                sum += exact;
                magnitude += Math.Abs(exact);
            }
            Assert.Equal(double.IsNaN(sum), float.IsNaN(denominators[r]));
            if (!double.IsNaN(sum))
                Assert.True(Math.Abs(denominators[r] - sum) <= 1e-5 * magnitude, $"denominator {r}: {denominators[r]}, expected {sum}");
        }
    }

    [Theory]
    [InlineData(CpuPath.Scalar)]
    [InlineData(CpuPath.Vector256)]
    [InlineData(CpuPath.Vector512)]
    public void Denominators_match_float64(CpuPath path)
    {
        if (path > AttentionCpu.Supported)
            return;
        var random = new Random(7);
        float[] z = Positive(random, 64), phiQT = Positive(random, 64 * Rows), denominators = new float[Rows];
        switch (path)
        {
            case CpuPath.Vector512:
                LinearChunk.Denominators<Simd512, Vector512<float>, Dim64>(z, phiQT, denominators);
                break;
            case CpuPath.Vector256:
                LinearChunk.Denominators<Simd256, Vector256<float>, Dim64>(z, phiQT, denominators);
                break;
            default:
                LinearChunk.Denominators<SimdScalar, float, Dim64>(z, phiQT, denominators);
                break;
        }
        for (int r = 0; r < Rows; r++)
        {
            double exact = 0;
            for (int d = 0; d < 64; d++)
                exact += (double)z[d] * phiQT[d * Rows + r];
            Assert.True(Math.Abs(denominators[r] - exact) <= 1e-5 * exact, $"row {r}: {denominators[r]}, expected {exact}");
        }
    }

    /// <summary>
    /// Each row's output is its scale times φ(q)ᵀS plus its own edge keys' weighted values, at its own offset (rows
    /// of a group's heads lie apart); rows past the chunk and every other float of the output stay untouched. B is
    /// [V₁; S] and then the end edge's values, as the kernel takes them: the reference reads one [V₁; S; V₂].
    /// </summary>
    [Theory]
    [InlineData(CpuPath.Scalar, 64, 16, 5, 9)]
    [InlineData(CpuPath.Vector256, 40, 16, 16, 0)]
    [InlineData(CpuPath.Vector256, 64, 13, 0, 16)]
    [InlineData(CpuPath.Vector512, 64, 16, 7, 15)]
    [InlineData(CpuPath.Vector512, 48, 6, 16, 1)]
    public void Output_matches_float64(CpuPath path, int headDim, int rows, int startKeys, int endKeys)
    {
        if (path > AttentionCpu.Supported)
            return;
        var random = new Random(headDim + rows * 7 + startKeys * 31 + endKeys);
        int depth = 2 * Rows + headDim, startKey = 100, endKey = startKey + startKeys + 50;
        int[] starts = new int[Rows], ends = new int[Rows];
        for (int r = 0; r < Rows; r++)
        {
            // Early rows see the start edge from their start on; later rows see more of the end edge.
            starts[r] = startKey + Math.Min(startKeys, r);
            ends[r] = endKey + Math.Min(endKeys, r + 1);
        }
        float[] a = Positive(random, depth * Rows), b = TestInputs.Uniform(random, depth * headDim, 1f);
        // The edge weights are zero where a row does not see the key, as LinearChunk.EdgeWeights leaves them.
        for (int j = 0; j < Rows; j++)
            for (int r = 0; r < Rows; r++)
            {
                if (!Sees(starts, ends, r, startKey + j - (Rows - startKeys)) || j < Rows - startKeys)
                    a[j * Rows + r] = 0f;
                if (!Sees(starts, ends, r, endKey + j) || j >= endKeys)
                    a[(Rows + headDim + j) * Rows + r] = 0f;
            }
        float[] inverse = Positive(random, Rows);
        // Rows interleave two heads, as a group's rows do: row r at (r % 2 · 20 + r / 2) · headDim, plus a margin.
        int[] offsets = Enumerable.Range(0, Rows).Select(r => (r % 2 * 20 + r / 2 + 1) * headDim).ToArray();
        float[] output = Enumerable.Repeat(-7f, 42 * headDim).ToArray();

        switch (path)
        {
            case CpuPath.Vector512:
                Run<Simd512, Vector512<float>>(headDim, a, b, startKey, startKeys, endKey, endKeys, starts, ends, inverse, rows, output, offsets);
                break;
            case CpuPath.Vector256:
                Run<Simd256, Vector256<float>>(headDim, a, b, startKey, startKeys, endKey, endKeys, starts, ends, inverse, rows, output, offsets);
                break;
            default:
                Run<SimdScalar, float>(headDim, a, b, startKey, startKeys, endKey, endKeys, starts, ends, inverse, rows, output, offsets);
                break;
        }

        var written = new bool[output.Length];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < headDim; c++)
            {
                double sum = 0, magnitude = 0;
                for (int k = 0; k < depth; k++)
                {
                    double term = (double)a[k * Rows + r] * b[k * headDim + c];
                    sum += term;
                    magnitude += Math.Abs(term);
                }
                float actual = output[offsets[r] + c];
                written[offsets[r] + c] = true;
                Assert.True(Math.Abs(actual - inverse[r] * sum) <= 1e-5 * inverse[r] * magnitude,
                    $"row {r}, column {c}: {actual}, expected {inverse[r] * sum}");
            }
        for (int i = 0; i < output.Length; i++)
            if (!written[i])
                Assert.Equal(-7f, output[i]);
    }

    /// <summary>
    /// S += sign · φ(K)ᵀV and z += sign · Σ φ(k) over 1 to 16 keys, with the values past the keys left out of the span
    /// (a kernel's last keys lie at the end of V), and the next rows prefetched on the way, which changes nothing.
    /// </summary>
    [Theory]
    [InlineData(CpuPath.Scalar, 64, 16, 1f)]
    [InlineData(CpuPath.Vector256, 40, 16, -1f)]
    [InlineData(CpuPath.Vector256, 64, 3, 1f)]
    [InlineData(CpuPath.Vector512, 64, 16, -1f)]
    [InlineData(CpuPath.Vector512, 64, 13, 1f)]
    [InlineData(CpuPath.Vector512, 48, 1, -1f)]
    [InlineData(CpuPath.Vector512, 64, 0, -1f)]
    public void Adding_keys_matches_float64(CpuPath path, int headDim, int keyCount, float sign)
    {
        if (path > AttentionCpu.Supported)
            return;
        var random = new Random(headDim * 17 + keyCount + (int)sign);
        float[] phiKeys = Positive(random, keyCount * headDim), values = TestInputs.Uniform(random, keyCount * headDim, 1f);
        float[] state = TestInputs.Uniform(random, headDim * headDim, 1f), z = Positive(random, headDim);
        float[] stateBefore = (float[])state.Clone(), zBefore = (float[])z.Clone();
        float[] next = new float[3 * 64];

        switch (path)
        {
            case CpuPath.Vector512:
                AddKeys<Simd512, Vector512<float>>(headDim, phiKeys, values, keyCount, sign, state, z, next);
                break;
            case CpuPath.Vector256:
                AddKeys<Simd256, Vector256<float>>(headDim, phiKeys, values, keyCount, sign, state, z, next);
                break;
            default:
                AddKeys<SimdScalar, float>(headDim, phiKeys, values, keyCount, sign, state, z, next);
                break;
        }

        for (int d = 0; d < headDim; d++)
        {
            for (int c = 0; c < headDim; c++)
            {
                double sum = stateBefore[d * headDim + c], magnitude = Math.Abs(sum);
                for (int j = 0; j < keyCount; j++)
                {
                    double term = sign * (double)phiKeys[j * headDim + d] * values[j * headDim + c];
                    sum += term;
                    magnitude += Math.Abs(term);
                }
                Assert.True(Math.Abs(state[d * headDim + c] - sum) <= 1e-5 * magnitude, $"S[{d}, {c}] = {state[d * headDim + c]}, expected {sum}");
            }
            double zSum = zBefore[d], zMagnitude = zBefore[d];
            for (int j = 0; j < keyCount; j++)
            {
                zSum += sign * (double)phiKeys[j * headDim + d];
                zMagnitude += phiKeys[j * headDim + d];
            }
            Assert.True(Math.Abs(z[d] - zSum) <= 1e-5 * zMagnitude, $"z[{d}] = {z[d]}, expected {zSum}");
        }
    }

    private static void AddKeys<TWidth, TVector>(int headDim, float[] phiKeys, float[] values, int keyCount, float sign, float[] state, float[] z, float[] next)
        where TWidth : struct, ISimdWidth<TVector>
        where TVector : struct
    {
        var prefetch = new PrefetchRegions(new PrefetchRuns(next.AsSpan(0, 64)), new PrefetchRuns(next.AsSpan(64, 64)), new PrefetchRuns(next.AsSpan(128, 64)));
        switch (headDim)
        {
            case 64:
                LinearChunk.AddKeys<TWidth, TVector, Dim64>(phiKeys, values, keyCount, sign, state, z, ref prefetch);
                break;
            case 48:
                LinearChunk.AddKeys<TWidth, TVector, Dim48>(phiKeys, values, keyCount, sign, state, z, ref prefetch);
                break;
            default:
                LinearChunk.AddKeys<TWidth, TVector, Dim40>(phiKeys, values, keyCount, sign, state, z, ref prefetch);
                break;
        }
    }

    [Fact]
    public void Bad_arguments_name_the_parameter_and_leave_the_output_and_state_alone()
    {
        float[] a = new float[(2 * Rows + 64) * Rows], b = new float[(2 * Rows + 64) * 64], output = Enumerable.Repeat(3f, Rows * 64).ToArray();
        int[] starts = new int[Rows], ends = new int[Rows], offsets = Enumerable.Range(0, Rows).Select(r => r * 64).ToArray();
        float[] inverse = new float[Rows];
        Assert.Equal("keyCount", Assert.Throws<ArgumentException>(() => LinearChunk.EdgeWeights<SimdScalar, float, Dim64>(
            new float[Rows * 64], Rows + 1, new float[64 * Rows], starts, ends, Rows, 0, new float[Rows * Rows], new float[Rows])).ParamName);
        Assert.Equal("weights", Assert.Throws<ArgumentException>(() => LinearChunk.EdgeWeights<SimdScalar, float, Dim64>(
            new float[3 * 64], 3, new float[64 * Rows], starts, ends, Rows, 0, new float[Rows * Rows], new float[Rows])).ParamName);
        Assert.Equal("startKeys", Assert.Throws<ArgumentException>(() => LinearChunk.Output<SimdScalar, float, Dim64>(
            a, b, b, 0, 0, 0, Rows + 1, starts, ends, inverse, Rows, output, offsets)).ParamName);
        Assert.Equal("b", Assert.Throws<ArgumentException>(() => LinearChunk.Output<SimdScalar, float, Dim64>(
            a, b, new float[3 * 64], 0, 0, 0, 4, starts, ends, inverse, Rows, output, offsets)).ParamName);
        offsets[5] = output.Length - 63;
        Assert.Equal("rowOffsets", Assert.Throws<ArgumentException>(() => LinearChunk.Output<SimdScalar, float, Dim64>(
            a, b, b, 0, 0, 0, 0, starts, ends, inverse, Rows, output, offsets)).ParamName);
        offsets[5] = 0; // in range, but the output cannot hold one row
        Assert.Equal("rowOffsets", Assert.Throws<ArgumentException>(() => LinearChunk.Output<SimdScalar, float, Dim64>(
            a, b, b, 0, 0, 0, 0, starts, ends, inverse, Rows, new float[10], offsets)).ParamName);
        Assert.All(output, value => Assert.Equal(3f, value));

        float[] state = Enumerable.Repeat(3f, 64 * 64).ToArray(), z = Enumerable.Repeat(3f, 64).ToArray();
        Assert.Equal("keyCount", Assert.Throws<ArgumentException>(() => AddKeys(new float[17 * 64], new float[17 * 64], Rows + 1, 1f, state, z)).ParamName);
        Assert.Equal("sign", Assert.Throws<ArgumentException>(() => AddKeys(new float[4 * 64], new float[4 * 64], 4, 0.5f, state, z)).ParamName);
        Assert.Equal("state", Assert.Throws<ArgumentException>(() => AddKeys(new float[4 * 64], new float[3 * 64], 4, 1f, state, z)).ParamName);
        Assert.Equal("state", Assert.Throws<ArgumentException>(() => AddKeys(new float[4 * 64], new float[4 * 64], 4, 1f, state, new float[63])).ParamName);
        Assert.All(state, value => Assert.Equal(3f, value));
        Assert.All(z, value => Assert.Equal(3f, value));
    }

    private static void AddKeys(float[] phiKeys, float[] values, int keyCount, float sign, float[] state, float[] z)
    {
        var none = new PrefetchRegions();
        LinearChunk.AddKeys<SimdScalar, float, Dim64>(phiKeys, values, keyCount, sign, state, z, ref none);
    }

    private static void Run<TWidth, TVector>(int headDim, float[] a, float[] b, int startKey, int startKeys, int endKey, int endKeys,
        int[] starts, int[] ends, float[] inverse, int rows, float[] output, int[] offsets)
        where TWidth : struct, ISimdWidth<TVector>
        where TVector : struct
    {
        // The end edge's values as rows of their own (in a kernel, where they lie in V), the rest as B.
        float[] state = b[..((Rows + headDim) * headDim)], endValues = b[((Rows + headDim) * headDim)..];
        switch (headDim)
        {
            case 64:
                LinearChunk.Output<TWidth, TVector, Dim64>(a, state, endValues, startKey, startKeys, endKey, endKeys, starts, ends, inverse, rows, output, offsets);
                break;
            case 48:
                LinearChunk.Output<TWidth, TVector, Dim48>(a, state, endValues, startKey, startKeys, endKey, endKeys, starts, ends, inverse, rows, output, offsets);
                break;
            default:
                LinearChunk.Output<TWidth, TVector, Dim40>(a, state, endValues, startKey, startKeys, endKey, endKeys, starts, ends, inverse, rows, output, offsets);
                break;
        }
    }

    /// <summary>Values in (0, 2], as φ gives.</summary>
    private static float[] Positive(Random random, int count)
        => Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 + 1e-3)).ToArray();
}

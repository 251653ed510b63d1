using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace KernelGen.Runtime.Tests;

/// <summary>
/// The float64 reference itself: hand-computed cases that pin its semantics (mask, alignment, head mapping, scale,
/// weights), and agreement with the runtime's own <see cref="ReferenceAttention"/>, which was written separately.
/// </summary>
public sealed class ReferenceTests
{
    [Theory]
    // causal, window 3, position 5: keys 3, 4, 5
    [InlineData(true, 3, 5, "3,4,5")]
    // causal, no window, position 2: keys 0, 1, 2
    [InlineData(true, 0, 2, "0,1,2")]
    // causal, window 1: only the query's own position
    [InlineData(true, 1, 4, "4")]
    // causal, negative position: nothing
    [InlineData(true, 0, -1, "")]
    // not causal, window 2, position 5: keys 4, 5, 6
    [InlineData(false, 2, 5, "4,5,6")]
    // not causal, window 2, position 8 with 8 valid keys: key 7 only (8 and 9 are past the end)
    [InlineData(false, 2, 8, "7")]
    // not causal, window 2, position −3: nothing
    [InlineData(false, 2, -3, "")]
    // full: every valid key
    [InlineData(false, 0, -100, "0,1,2,3,4,5,6,7")]
    public void Visibility_follows_the_contract(bool causal, int window, int position, string expected)
    {
        const int validKeys = 8;
        string visible = string.Join(",", Enumerable.Range(-2, 14).Where(j => Float64Attention.Sees(causal, window, position, j, validKeys)));
        Assert.Equal(expected, visible);
    }

    [Fact]
    public void Known_softmax_weights()
    {
        // Scale 1, q = e0, k0 = 0, k1 = ln(3)·e0: scores 0 and ln 3, weights 1/4 and 3/4.
        const int d = 8;
        var config = new AttentionConfig(d) { Scale = 1 };
        float[] q = Row(d, 0, 1f);
        float[] k = [.. Row(d, 0, 0f), .. Row(d, 0, (float)Math.Log(3))];
        float[] v = [.. Row(d, 1, 4f), .. Row(d, 2, 8f)];
        double[] o = Float64Attention.Forward(config, q, k, v, 1, 1, 2).Output;
        double e = Math.Exp((float)Math.Log(3)); // 3 up to the float rounding of ln 3
        double w1 = e / (1 + e);
        Assert.Equal(0, o[0]);
        Assert.Equal(4 * (1 - w1), o[1], 1e-15);
        Assert.Equal(8 * w1, o[2], 1e-15);
        Assert.Equal(0.75, w1, 1e-6);
    }

    [Fact]
    public void Default_scale_is_one_over_sqrt_head_dim()
    {
        // q·k1 = 16 with d = 16: default scale 1/4 gives scores 0 and 4, so weights 1/(1 + e⁴) and e⁴/(1 + e⁴).
        const int d = 16;
        var config = new AttentionConfig(d);
        float[] q = Enumerable.Repeat(1f, d).ToArray();
        float[] k = [.. new float[d], .. Enumerable.Repeat(1f, d)];
        float[] v = [.. Row(d, 0, 1f), .. Row(d, 0, 0f)];
        double[] o = Float64Attention.Forward(config, q, k, v, 1, 1, 2).Output;
        Assert.Equal(1 / (1 + Math.Exp(4)), o[0], 1e-15);
    }

    [Fact]
    public void Known_linear_weights()
    {
        // q = 0 so φ(q) = 1; k0 = 0 (φ = 1 in each of 8 dims), k1 = −1 everywhere (φ = e⁻¹): weights 8 and 8/e.
        const int d = 8;
        var config = new AttentionConfig(d) { Kind = AttentionKind.Linear };
        float[] q = new float[d];
        float[] k = [.. new float[d], .. Enumerable.Repeat(-1f, d)];
        float[] v = [.. Row(d, 0, 1f), .. Row(d, 0, -1f)];
        double[] o = Float64Attention.Forward(config, q, k, v, 1, 1, 2).Output;
        double w0 = 8, w1 = 8 * Math.Exp(-1);
        Assert.Equal((w0 - w1) / (w0 + w1 + 1e-6), o[0], 1e-15);
    }

    [Fact]
    public void Causal_alignment_is_bottom_right()
    {
        // q = 0 gives equal weights over the visible keys, so each output is the mean of the v rows it sees.
        const int d = 8;
        var config = new AttentionConfig(d) { Causal = true };
        float[] q = new float[2 * d];
        float[] k = new float[4 * d];
        float[] v = [.. Row(d, 0, 1f), .. Row(d, 0, 2f), .. Row(d, 0, 3f), .. Row(d, 0, 4f)];
        double[] o = Float64Attention.Forward(config, q, k, v, 1, 2, 4).Output;
        Assert.Equal((1 + 2 + 3) / 3.0, o[0], 1e-15);     // query 0 at position 2
        Assert.Equal((1 + 2 + 3 + 4) / 4.0, o[d], 1e-15); // query 1 at position 3
    }

    [Fact]
    public void Query_heads_read_their_group_kv_head_and_empty_rows_are_zero()
    {
        // 4 query heads on 2 kv heads: heads 0, 1 read kv head 0, heads 2, 3 read kv head 1. One key per kv head.
        // The second sequence has no valid key, so its rows are empty.
        const int d = 8;
        var config = new AttentionConfig(d) { Heads = 4, KvHeads = 2, Causal = true };
        float[] q = new float[2 * 4 * d];
        float[] k = new float[2 * 2 * d];
        float[] v = [.. Row(d, 0, 10f), .. Row(d, 0, 20f), .. Row(d, 0, 30f), .. Row(d, 0, 40f)];
        Float64Result result = Float64Attention.Forward(config, q, k, v, 2, 1, 1, [1, 0]);
        Assert.Equal([10.0, 10.0, 20.0, 20.0], Enumerable.Range(0, 4).Select(h => result.Output[h * d]));
        Assert.Equal([false, false, false, false, true, true, true, true], result.EmptyRows);
        Assert.All(result.Output.Skip(4 * d), x => Assert.Equal(0.0, x));
    }

    public static IEnumerable<object[]> AgreementCases()
    {
        for (int i = 0; i < AgreementConfigs.Length; i++)
        {
            yield return [i, 2, 17, 29, ""];
            yield return [i, 3, 9, 21, "21,4,0"];
        }
    }

    private static readonly AttentionConfig[] AgreementConfigs =
    [
        new(8) { Heads = 2 },
        new(40) { Heads = 4, KvHeads = 2, Causal = true, Window = 5 },
        new(64) { Heads = 3, KvHeads = 1, Window = 7, Scale = 0.3 },
        new(16) { Heads = 2, Causal = true, Kind = AttentionKind.Linear },
        new(24) { Heads = 4, KvHeads = 2, Window = 3, Kind = AttentionKind.Linear },
        new(128) { Heads = 2, KvHeads = 1, Causal = true, Window = 1, Kind = AttentionKind.Linear },
    ];

    /// <summary>
    /// Two float64 implementations of one definition, built differently (matrices here, pair by pair there), agree to
    /// float64 rounding: 1e-12 on outputs of magnitude ≤ 1 leaves ~10⁴ ulps for sums over ≤ 128 dims and ≤ 29 keys.
    /// </summary>
    [Theory]
    [MemberData(nameof(AgreementCases))]
    public void Agrees_with_runtime_ReferenceAttention(int configIndex, int batch, int queryLength, int keyLength, string keyLengths)
    {
        AttentionConfig config = AgreementConfigs[configIndex];
        var shape = new Shape(batch, queryLength, keyLength, Shape.ParseKeyLengths(keyLengths));
        var inputs = new TestInputs(config, shape, seed: 5 + configIndex);

        double[] runtime = ReferenceAttention.Forward(config, inputs.Q, inputs.K, inputs.V, batch, queryLength, keyLength, shape.KeyLengths);
        double[] ours = inputs.Reference().Output;

        Assert.Equal(ours.Length, runtime.Length);
        double worst = ours.Zip(runtime, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst <= 1e-12, $"max |ours − ReferenceAttention| = {worst:G4}");
        Assert.Contains(ours, x => Math.Abs(x) > 1e-3);
    }

    /// <summary>A d-vector that is <paramref name="value"/> at <paramref name="index"/> and 0 elsewhere.</summary>
    private static float[] Row(int d, int index, float value)
    {
        var row = new float[d];
        row[index] = value;
        return row;
    }
}

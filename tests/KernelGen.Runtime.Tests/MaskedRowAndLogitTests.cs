using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace KernelGen.Runtime.Tests;

/// <summary>
/// Rows that see no key (per-sequence key lengths shorter than the query count, empty sequences, narrow windows far
/// from the keys) must be exactly zero, never NaN; and softmax must survive logits of ~1e4, which overflow exp
/// without max subtraction. A NaN input makes NaN outputs where it is read, and (for a value) in the few places nearby
/// that the README's contract names.
/// </summary>
public sealed class MaskedRowAndLogitTests
{
    public static IEnumerable<object[]> CausalIds()
        => KernelCatalog.AllIds.Where(id => KernelCatalog.Get(id).Config.Causal).Select(id => new object[] { id });

    public static IEnumerable<object[]> AllIds() => KernelCatalog.AllIds.Select(id => new object[] { id });

    public static IEnumerable<object[]> SoftmaxIds()
        => KernelCatalog.AllIds.Where(id => KernelCatalog.Get(id).Config.Kind == AttentionKind.Softmax).Select(id => new object[] { id });

    /// <summary>
    /// 12 queries against sequences of 5, 0 and 20 keys. Sequence 0's query i sits at position i − 7, so causal rows
    /// 0 … 6 see nothing; sequence 1 sees nothing at all; sequence 2 is full length. Worked out here by hand, not
    /// taken from the reference.
    /// </summary>
    [Theory]
    [MemberData(nameof(CausalIds))]
    public void Causal_rows_before_the_first_key_are_exactly_zero(string kernelId)
    {
        IAttentionKernel kernel = KernelCatalog.Get(kernelId);
        AttentionConfig config = kernel.Config;
        var shape = new Shape(3, 12, 20, [5, 0, 20]);
        var inputs = new TestInputs(config, shape, seed: 99);
        float[] output = inputs.Run(kernel);

        int d = config.HeadDim;
        for (int h = 0; h < config.Heads; h++)
        {
            for (int i = 0; i < 12; i++)
            {
                bool empty0 = i < 7;
                AssertRow(output, (0 * config.Heads + h) * 12 + i, d, zero: empty0, $"{kernel.Name} sequence 0 head {h} query {i}");
                AssertRow(output, (1 * config.Heads + h) * 12 + i, d, zero: true, $"{kernel.Name} sequence 1 head {h} query {i}");
                AssertRow(output, (2 * config.Heads + h) * 12 + i, d, zero: false, $"{kernel.Name} sequence 2 head {h} query {i}");
            }
        }
        Accuracy.AssertMatches(kernel.Name, config.Kind, output, inputs.Reference(), d);
    }

    /// <summary>Every kernel, causal or not, writes zeros for a sequence with no valid key, and is right about the others.</summary>
    [Theory]
    [MemberData(nameof(AllIds))]
    public void A_sequence_without_keys_gives_zeros(string kernelId)
    {
        IAttentionKernel kernel = KernelCatalog.Get(kernelId);
        var shape = new Shape(2, 9, 16, [0, 16]);
        var inputs = new TestInputs(kernel.Config, shape, seed: 7);
        float[] output = inputs.Run(kernel);

        int half = output.Length / 2;
        Assert.All(output.Take(half), x => Assert.Equal(0f, x));
        Assert.Contains(output.Skip(half), x => x != 0f);
        Accuracy.AssertMatches(kernel.Name, kernel.Config.Kind, output, inputs.Reference(), kernel.Config.HeadDim);
    }

    public static IEnumerable<object[]> HugeLogitCases()
    {
        foreach (object[] id in SoftmaxIds())
        {
            foreach (string order in new[] { "growing", "shrinking", "shuffled" })
            {
                yield return [id[0], order, 2, 20, 45, ""];
                yield return [id[0], order, 3, 12, 40, "40,0,25"];
            }
        }
    }

    /// <summary>
    /// Scores of order 10⁴, far past where exp overflows fp32 (~88), so a kernel that does not subtract the row
    /// maximum returns ∞ or NaN. Coordinate 0 of q is ±α and of key j is α·m_j, with α² · scale = 500 and m_j a
    /// distinct integer per key (growing with j, so a tiled kernel's running maximum jumps at every tile and what it
    /// accumulated must be rescaled; shrinking; or shuffled); the other coordinates are in [−1, 1] and move a score by
    /// at most scale·(d − 1) &lt; 50. Visible scores are therefore ≥ 400 apart, each row's softmax puts all but
    /// e⁻⁴⁰⁰ of its weight on one key, and fp32's own rounding of such scores (~1e-3) cannot move the output: the
    /// ordinary 1e-5 bound applies unchanged. (Random scores of 10⁴ would not do: two of them within ~1 of each other
    /// make any fp32 kernel differ from float64 by ~1e-4, the ulp of the scores themselves.)
    /// </summary>
    [Theory]
    [MemberData(nameof(HugeLogitCases))]
    public void Huge_logits_stay_finite_and_match(string kernelId, string order, int batch, int queryLength, int keyLength, string keyLengths)
    {
        IAttentionKernel kernel = KernelCatalog.Get(kernelId);
        AttentionConfig config = kernel.Config;
        int d = config.HeadDim, heads = config.Heads, kvHeads = config.KvHeads == 0 ? heads : config.KvHeads;
        double scale = config.Scale == 0 ? 1 / Math.Sqrt(d) : config.Scale;
        Assert.True(scale * (d - 1) < 50, "the other coordinates must not close the gaps between scores");
        float alpha = (float)Math.Sqrt(500 / scale);
        var shape = new Shape(batch, queryLength, keyLength, Shape.ParseKeyLengths(keyLengths));
        var inputs = new TestInputs(config, shape, seed: 2024);

        var random = new Random(77);
        int[] shuffled = Enumerable.Range(0, keyLength).OrderBy(_ => random.Next()).ToArray();
        for (int row = 0; row < batch * kvHeads * keyLength; row++)
        {
            int j = row % keyLength;
            int m = order switch { "growing" => j, "shrinking" => -j, _ => shuffled[j] } - (order == "shrinking" ? -keyLength / 2 : keyLength / 2);
            inputs.K[row * d] = alpha * m;
        }
        for (int row = 0; row < batch * heads * queryLength; row++)
            inputs.Q[row * d] = row % 3 == 2 ? -alpha : alpha;

        float[] output = inputs.Run(kernel);
        Float64Result reference = inputs.Reference();

        Assert.True(reference.MaxAbsScore > 5e3, $"the inputs must produce huge scores, but the largest is {reference.MaxAbsScore:G4}");
        Assert.All(output, x => Assert.True(float.IsFinite(x), $"{kernel.Name}: {x}"));
        Accuracy.AssertMatches($"{kernel.Name}, {order} keys", AttentionKind.Softmax, output, reference, d);
    }

    /// <summary>
    /// A NaN in one query row's q makes that row's output all NaN (its scores, then its weights, are NaN whatever
    /// maximum the softmax takes) and leaves every other row bitwise as it was: rows never mix. In the last query
    /// tile of head 1, so GQA rows, padding rows and several tiles all take part.
    /// </summary>
    [Theory]
    [MemberData(nameof(AllIds))]
    public void A_nan_query_makes_its_row_nan_and_no_other(string kernelId)
    {
        IAttentionKernel kernel = KernelCatalog.Get(kernelId);
        AttentionConfig config = kernel.Config;
        var shape = new Shape(1, 70, 70);
        var inputs = new TestInputs(config, shape, seed: 5);
        float[] clean = inputs.Run(kernel);
        int d = config.HeadDim, row = Math.Min(1, config.Heads - 1) * 70 + 69; // head 1, the last query: it sees keys in every mask
        inputs.Q[row * d + d / 2] = float.NaN;
        float[] output = inputs.Run(kernel);

        for (int i = 0; i < output.Length; i++)
        {
            if (i / d == row)
                Assert.True(float.IsNaN(output[i]), $"{kernel.Name}: element {i % d} of the NaN row is {output[i]}");
            else
                Assert.Equal(clean[i], output[i]);
        }
    }

    /// <summary>
    /// A NaN in a key makes NaN exactly the rows that see that key (<see cref="Float64Attention.Sees"/>) and leaves
    /// every other row bitwise as it was. The key sits at different lanes and vectors of its tile, so that in the rows
    /// of a narrow window it is the only score among masked ones, where a row maximum may pass over it: those rows
    /// must still come out NaN; and in sliding-window linear attention, the rows after the window has left the key
    /// must not (its running state could not subtract the NaN out, and is rebuilt instead).
    /// </summary>
    [Theory]
    [MemberData(nameof(AllIds))]
    public void A_nan_key_makes_nan_exactly_the_rows_that_see_it(string kernelId)
    {
        Poison(KernelCatalog.Get(kernelId), poisonValue: false,
            (sees, _, actual, unchanged) => sees ? float.IsNaN(actual) : unchanged);
    }

    /// <summary>
    /// A NaN in a value element makes that element NaN in every row that sees its key, and changes no other element
    /// of any row. A row that does not see the key may still get NaN in that one element if a row less than
    /// <see cref="BlockReach"/> positions away sees it: register blocks sum the value rows some of their rows see,
    /// weighted 0 for the others, and 0 · NaN is NaN, as in PyTorch's and FlashAttention's kernels (README, "What is
    /// generated"). Further away, and after a sliding window has left the key, the row must not be NaN.
    /// </summary>
    [Theory]
    [MemberData(nameof(AllIds))]
    public void A_nan_value_reaches_only_its_element_of_the_rows_that_see_it(string kernelId)
    {
        Poison(KernelCatalog.Get(kernelId), poisonValue: true,
            (sees, seenNearby, actual, unchanged) => float.IsNaN(actual) ? seenNearby : !sees && unchanged);
    }

    /// <summary>The most positions apart two rows of one register block, tile or linear chunk can be: 32 (a chunk).</summary>
    private const int BlockReach = 32;

    /// <summary>
    /// Sets element d/2 of key (or value) rows of key/value head 0 to NaN: keys 0, 5, 21 and 50 in turn (lanes and
    /// vectors apart in their tiles), then keys 20 … 22 together, so that a window of up to two keys each side holds
    /// nothing else, mid-vector, in its row's first tile. Checks every output element that the NaN can reach (all of
    /// each row for a key, element d/2 for a value) with <paramref name="allowed"/>(whether the row sees a NaN key,
    /// whether a row less than <see cref="BlockReach"/> positions away does, the element, whether it is unchanged).
    /// Every other element must be unchanged: bitwise as without the NaN, or, for a kernel that rebuilds its running
    /// state once the window has left the NaN, within <see cref="Accuracy.SoftmaxMaxAbs"/> of it (summed in another
    /// order; its outputs, too, are convex combinations of v rows).
    /// </summary>
    private static void Poison(IAttentionKernel kernel, bool poisonValue, Func<bool, bool, float, bool, bool> allowed)
    {
        AttentionConfig config = kernel.Config;
        bool rebuildsState = config.Kind == AttentionKind.Linear && config.Window > 0
            && config.Algorithm != AttentionAlgorithm.Materialized;
        const int length = 70;
        var inputs = new TestInputs(config, new Shape(1, length, length), seed: 8);
        float[] clean = inputs.Run(kernel);
        float[] poisoned = poisonValue ? inputs.V : inputs.K;
        float[] original = (float[])poisoned.Clone();
        int d = config.HeadDim, groupSize = config.Heads / config.ResolvedKvHeads;
        foreach ((int first, int count) in new[] { (0, 1), (5, 1), (21, 1), (50, 1), (20, 3) })
        {
            for (int key = first; key < first + count; key++)
                poisoned[key * d + d / 2] = float.NaN;
            float[] output = inputs.Run(kernel);
            original.CopyTo(poisoned, 0);
            bool SeenFrom(int position)
                => Enumerable.Range(first, count).Any(key => Float64Attention.Sees(config.Causal, config.Window, position, key, length));
            for (int i = 0; i < output.Length; i++)
            {
                int head = i / d / length, query = i / d % length;
                bool reachable = head < groupSize && (!poisonValue || i % d == d / 2);
                bool sees = reachable && SeenFrom(query);
                bool unchanged = clean[i].Equals(output[i])
                    || (rebuildsState && Math.Abs(output[i] - clean[i]) <= Accuracy.SoftmaxMaxAbs);
                bool seenNearby = reachable && poisonValue && Enumerable.Range(query - BlockReach + 1, 2 * BlockReach - 1)
                    .Any(p => p >= 0 && p < length && SeenFrom(p));
                if (reachable ? !allowed(sees, seenNearby, output[i], unchanged) : !unchanged)
                    Assert.Fail($"{kernel.Name}, NaN at {(poisonValue ? "values" : "keys")} {first} … {first + count - 1}: "
                        + $"head {head}, query {query} ({(sees ? "sees" : "does not see")} one), element {i % d} "
                        + $"went from {clean[i]} to {output[i]}");
            }
        }
    }

    private static void AssertRow(float[] output, int row, int d, bool zero, string label)
    {
        for (int a = 0; a < d; a++)
        {
            float x = output[row * d + a];
            Assert.True(float.IsFinite(x), $"{label}: element {a} is {x}");
            if (zero)
                Assert.True(x == 0f, $"{label} sees no key, so must be exactly 0, but element {a} is {x}");
        }
        if (!zero)
            Assert.True(Enumerable.Range(0, d).Any(a => output[row * d + a] != 0f), $"{label} sees keys but is all zeros");
    }
}

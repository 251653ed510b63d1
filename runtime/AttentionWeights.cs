using System;

namespace KernelGen;

/// <summary>
/// The attention weights a kernel applies, for looking at: for chosen heads and query rows of one sequence, the
/// weight of every key — softmax probabilities, or linear attention's normalized φ(q)·φ(k). Only the rows asked for
/// are computed, so the full queryLength × keyLength matrix of every head exists only when every head and row is
/// asked for.
/// </summary>
/// <remarks>
/// Inputs are laid out as for <see cref="IAttentionKernel"/> (<c>[batch, heads, seq, headDim]</c>), with the same
/// query alignment, mask, window, GQA head mapping and scale. Scores are accumulated in float64 from the float
/// inputs. Each row of weights sums to 1 over its visible keys; for linear attention the denominator carries the
/// kernels' ε (<c>Σ φ(q)·φ(k) + 1e-6</c>), so a row sums to 1 − ε / (Σ + ε). A row that sees no key is all zeros,
/// as is every weight of a masked or padded key.
/// </remarks>
public static class AttentionWeights
{
    /// <summary>
    /// Writes the weights of query rows <paramref name="queryRows"/> of heads <paramref name="heads"/> in sequence
    /// <paramref name="sequence"/> into <paramref name="weights"/>, laid out <c>[heads.Length, queryRows.Length,
    /// keyLength]</c>.
    /// </summary>
    /// <param name="config">The attention whose weights are wanted.</param>
    /// <param name="q">Queries, <c>[batch, Heads, queryLength, HeadDim]</c>.</param>
    /// <param name="k">Keys, <c>[batch, KvHeads, keyLength, HeadDim]</c>.</param>
    /// <param name="batch">Sequences in <paramref name="q"/> and <paramref name="k"/>.</param>
    /// <param name="queryLength">Query rows per sequence and head.</param>
    /// <param name="keyLength">Key rows per sequence and head.</param>
    /// <param name="keyLengths">Empty, or the valid keys of each sequence, as in the kernels' padded overload.</param>
    /// <param name="sequence">Which sequence of the batch.</param>
    /// <param name="heads">Query heads to compute, each from 0 to Heads − 1.</param>
    /// <param name="queryRows">Query rows to compute, each from 0 to queryLength − 1.</param>
    /// <param name="weights">Receives heads.Length × queryRows.Length × keyLength floats.</param>
    /// <exception cref="ArgumentException">A size, index or span length does not fit; nothing is written.</exception>
    public static void Compute(AttentionConfig config, ReadOnlySpan<float> q, ReadOnlySpan<float> k,
        int batch, int queryLength, int keyLength, ReadOnlySpan<int> keyLengths,
        int sequence, ReadOnlySpan<int> heads, ReadOnlySpan<int> queryRows, Span<float> weights)
    {
        int validKeys = ValidateSelection(config, q, k, batch, queryLength, keyLength, keyLengths, sequence, heads, queryRows, weights);
        int d = config.HeadDim, headCount = config.Heads;
        var scores = new double[keyLength];
        for (int hi = 0; hi < heads.Length; hi++)
        {
            int head = heads[hi];
            ReadOnlySpan<float> keys = KeysOf(k, config, sequence, head, keyLength);
            for (int ri = 0; ri < queryRows.Length; ri++)
            {
                int row = queryRows[ri];
                ReadOnlySpan<float> query = q.Slice(((sequence * headCount + head) * queryLength + row) * d, d);
                Span<float> target = weights.Slice((hi * queryRows.Length + ri) * keyLength, keyLength);
                (int start, int end) = AttentionMask.VisibleKeys(config.Causal, config.Window, row + validKeys - queryLength, validKeys);
                target.Clear();
                if (config.Kind == AttentionKind.Softmax)
                    SoftmaxRow(query, keys, d, config.ResolvedScale, start, end, scores, target);
                else
                    LinearRow(query, keys, d, start, end, scores, target);
            }
        }
    }

    /// <summary>
    /// Softmax weights recomputed from the per-row log-sum-exp a kernel wrote (the <c>logSumExp</c> overload of
    /// <see cref="IAttentionKernel.Forward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, int, int, int, ReadOnlySpan{int})"/>):
    /// pⱼ = exp(scale · q·kⱼ − lse) for the visible keys, 0 elsewhere. These are the weights exactly as that kernel
    /// normalized them, one row at a time and without the kernel's N×N of scores; each row sums to 1 up to the
    /// kernel's rounding of its LSE. Same selection and layout as <see cref="Compute"/>.
    /// </summary>
    /// <param name="config">A softmax configuration: the one the kernel computed.</param>
    /// <param name="q">Queries, <c>[batch, Heads, queryLength, HeadDim]</c>, as passed to the kernel.</param>
    /// <param name="k">Keys, <c>[batch, KvHeads, keyLength, HeadDim]</c>, as passed to the kernel.</param>
    /// <param name="logSumExp">The kernel's <c>[batch, Heads, queryLength]</c> log-sum-exp; −∞ rows give zeros.</param>
    /// <param name="batch">Sequences in <paramref name="q"/> and <paramref name="k"/>.</param>
    /// <param name="queryLength">Query rows per sequence and head.</param>
    /// <param name="keyLength">Key rows per sequence and head.</param>
    /// <param name="keyLengths">Empty, or the valid keys of each sequence, as passed to the kernel.</param>
    /// <param name="sequence">Which sequence of the batch.</param>
    /// <param name="heads">Query heads to compute, each from 0 to Heads − 1.</param>
    /// <param name="queryRows">Query rows to compute, each from 0 to queryLength − 1.</param>
    /// <param name="weights">Receives heads.Length × queryRows.Length × keyLength floats.</param>
    /// <exception cref="ArgumentException">The configuration is linear, or a size, index or span length does not fit; nothing is written.</exception>
    public static void FromLogSumExp(AttentionConfig config, ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> logSumExp,
        int batch, int queryLength, int keyLength, ReadOnlySpan<int> keyLengths,
        int sequence, ReadOnlySpan<int> heads, ReadOnlySpan<int> queryRows, Span<float> weights)
    {
        if (config.Kind != AttentionKind.Softmax)
            throw new ArgumentException("Only softmax weights have a log-sum-exp; for linear attention use Compute.", nameof(config));
        int validKeys = ValidateSelection(config, q, k, batch, queryLength, keyLength, keyLengths, sequence, heads, queryRows, weights);
        AttentionArguments.ValidateLogSumExp(logSumExp.Length, batch, config.Heads, queryLength);
        int d = config.HeadDim;
        double scale = config.ResolvedScale;
        for (int hi = 0; hi < heads.Length; hi++)
        {
            int head = heads[hi];
            ReadOnlySpan<float> keys = KeysOf(k, config, sequence, head, keyLength);
            for (int ri = 0; ri < queryRows.Length; ri++)
            {
                int row = (sequence * config.Heads + head) * queryLength + queryRows[ri];
                ReadOnlySpan<float> query = q.Slice(row * d, d);
                Span<float> target = weights.Slice((hi * queryRows.Length + ri) * keyLength, keyLength);
                (int start, int end) = AttentionMask.VisibleKeys(config.Causal, config.Window, queryRows[ri] + validKeys - queryLength, validKeys);
                target.Clear();
                double lse = logSumExp[row];
                if (double.IsNegativeInfinity(lse))
                    continue; // the kernel saw no key for this row
                for (int j = start; j < end; j++)
                    target[j] = (float)Math.Exp(scale * Dot(query, keys.Slice(j * d, d)) - lse);
            }
        }
    }

    /// <summary>The checks both entry points share; returns the selected sequence's valid keys.</summary>
    private static int ValidateSelection(AttentionConfig config, ReadOnlySpan<float> q, ReadOnlySpan<float> k,
        int batch, int queryLength, int keyLength, ReadOnlySpan<int> keyLengths,
        int sequence, ReadOnlySpan<int> heads, ReadOnlySpan<int> queryRows, Span<float> weights)
    {
        config.Validate(nameof(config));
        int d = config.HeadDim, headCount = config.Heads, kvHeads = config.ResolvedKvHeads;
        // The weights need no values and write no output: q and k stand in for their sizes.
        AttentionArguments.Validate(d, headCount, kvHeads, q.Length, k.Length, k.Length, q.Length, batch, queryLength, keyLength);
        AttentionArguments.ValidateKeyLengthsOrCausal(keyLengths, batch, queryLength, keyLength, config.Causal);
        if ((uint)sequence >= (uint)batch)
            throw new ArgumentOutOfRangeException(nameof(sequence), sequence, $"sequence must be from 0 to batch − 1 = {batch - 1}, but is {sequence}.");
        RequireIndices(heads, headCount, nameof(heads), "Heads");
        RequireIndices(queryRows, queryLength, nameof(queryRows), "queryLength");
        long expected = (long)heads.Length * queryRows.Length * keyLength;
        if (weights.Length != expected)
        {
            throw new ArgumentException(
                $"weights must hold heads.Length × queryRows.Length × keyLength = {heads.Length} × {queryRows.Length} × {keyLength} = {expected} floats, but holds {weights.Length}.",
                nameof(weights));
        }
        return keyLengths.IsEmpty ? keyLength : keyLengths[sequence];
    }

    /// <summary>The keys query head <paramref name="head"/> of <paramref name="sequence"/> reads (GQA: its group's).</summary>
    private static ReadOnlySpan<float> KeysOf(ReadOnlySpan<float> k, AttentionConfig config, int sequence, int head, int keyLength)
    {
        int kvHeads = config.ResolvedKvHeads;
        int kvHead = head / (config.Heads / kvHeads);
        return k.Slice((sequence * kvHeads + kvHead) * keyLength * config.HeadDim, keyLength * config.HeadDim);
    }

    private static void SoftmaxRow(ReadOnlySpan<float> query, ReadOnlySpan<float> keys, int d, double scale,
        int start, int end, double[] scores, Span<float> target)
    {
        double max = double.NegativeInfinity;
        for (int j = start; j < end; j++)
        {
            scores[j] = scale * Dot(query, keys.Slice(j * d, d));
            max = Math.Max(max, scores[j]);
        }
        double total = 0;
        for (int j = start; j < end; j++)
        {
            scores[j] = Math.Exp(scores[j] - max);
            total += scores[j];
        }
        for (int j = start; j < end; j++)
            target[j] = (float)(scores[j] / total);
    }

    private static void LinearRow(ReadOnlySpan<float> query, ReadOnlySpan<float> keys, int d,
        int start, int end, double[] scores, Span<float> target)
    {
        double total = AttentionRules.LinearEpsilon;
        for (int j = start; j < end; j++)
        {
            ReadOnlySpan<float> key = keys.Slice(j * d, d);
            double w = 0;
            for (int a = 0; a < d; a++)
                w += (double)LinearFeatureMap.Phi(query[a]) * LinearFeatureMap.Phi(key[a]);
            scores[j] = w;
            total += w;
        }
        for (int j = start; j < end; j++)
            target[j] = (float)(scores[j] / total);
    }

    private static double Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        double sum = 0;
        for (int a = 0; a < x.Length; a++)
            sum += (double)x[a] * y[a];
        return sum;
    }

    private static void RequireIndices(ReadOnlySpan<int> indices, int count, string name, string countName)
    {
        foreach (int index in indices)
        {
            if ((uint)index >= (uint)count)
                throw new ArgumentException($"{name} must hold indices from 0 to {countName} − 1 = {count - 1}, but holds {index}.", name);
        }
    }
}

using System;

namespace KernelGen;

/// <summary>
/// Argument checks shared by every kernel, generated or generic. Each throws before anything is written, naming the
/// parameter and what was expected, so a bad call never leaves a half-written output.
/// </summary>
public static class AttentionArguments
{
    /// <summary>Checks sizes and span (or GPU view) lengths for <c>[batch, heads, seq, headDim]</c> tensors.</summary>
    public static void Validate(int headDim, int heads, int kvHeads,
        long qLength, long kLength, long vLength, long outputLength,
        int batch, int queryLength, int keyLength)
    {
        RequirePositive(batch, nameof(batch));
        RequirePositive(queryLength, nameof(queryLength));
        RequirePositive(keyLength, nameof(keyLength));
        RequireLength("q", qLength, batch, heads, queryLength, headDim, "queryLength");
        RequireLength("k", kLength, batch, kvHeads, keyLength, headDim, "keyLength");
        RequireLength("v", vLength, batch, kvHeads, keyLength, headDim, "keyLength");
        RequireLength("output", outputLength, batch, heads, queryLength, headDim, "queryLength");
    }

    /// <summary>Causal attention over equal-length sequences needs every query to have a position (queryLength ≤ keyLength).</summary>
    public static void ValidateCausal(int queryLength, int keyLength)
    {
        if (queryLength > keyLength)
        {
            throw new ArgumentException(
                $"Causal attention needs queryLength ≤ keyLength (queries are the last keyLength positions), but queryLength is {queryLength} and keyLength is {keyLength}.",
                nameof(queryLength));
        }
    }

    /// <summary>Per-sequence key lengths: one per batch entry, each from 0 to keyLength.</summary>
    public static void ValidateKeyLengths(ReadOnlySpan<int> keyLengths, int batch, int keyLength)
    {
        if (keyLengths.Length != batch)
        {
            throw new ArgumentException(
                $"keyLengths must hold one length per sequence (batch = {batch}), but holds {keyLengths.Length}.",
                nameof(keyLengths));
        }
        for (int b = 0; b < keyLengths.Length; b++)
        {
            if ((uint)keyLengths[b] > (uint)keyLength)
            {
                throw new ArgumentException(
                    $"keyLengths[{b}] must be from 0 to keyLength = {keyLength}, but is {keyLengths[b]}.",
                    nameof(keyLengths));
            }
        }
    }

    /// <summary>
    /// The checks of an optional <paramref name="keyLengths"/>: empty means equal-length sequences, where causal
    /// attention needs queryLength ≤ keyLength; otherwise one valid length per sequence (see <see cref="ValidateKeyLengths"/>).
    /// </summary>
    public static void ValidateKeyLengthsOrCausal(ReadOnlySpan<int> keyLengths, int batch, int queryLength, int keyLength, bool causal)
    {
        if (!keyLengths.IsEmpty)
            ValidateKeyLengths(keyLengths, batch, keyLength);
        else if (causal)
            ValidateCausal(queryLength, keyLength);
    }

    /// <summary>A log-sum-exp output holds one float per query row: batch × heads × queryLength.</summary>
    public static void ValidateLogSumExp(int logSumExpLength, int batch, int heads, int queryLength)
    {
        long expected = (long)batch * heads * queryLength;
        if (logSumExpLength != expected)
        {
            throw new ArgumentException(
                $"logSumExp must hold batch × heads × queryLength = {batch} × {heads} × {queryLength} = {expected} floats, but holds {logSumExpLength}.",
                "logSumExp");
        }
    }

    private static void RequirePositive(int value, string name)
    {
        if (value <= 0)
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive, but is {value}.");
    }

    private static void RequireLength(string name, long actual, int batch, int heads, int rows, int headDim, string rowsName)
    {
        long expected = (long)batch * heads * rows * headDim;
        if (actual != expected)
        {
            throw new ArgumentException(
                $"{name} must hold batch × heads × {rowsName} × headDim = {batch} × {heads} × {rows} × {headDim} = {expected} floats, but holds {actual}.",
                name);
        }
    }
}

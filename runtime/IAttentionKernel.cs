using System;

namespace KernelGen;

/// <summary>
/// An attention kernel for one configuration: every generated class exposes one as its nested <c>Kernel</c> type,
/// and <see cref="GenericAttentionKernel"/> serves any configuration that was not generated.
/// </summary>
/// <remarks>
/// Layout is row-major <c>[batch, heads, seq, headDim]</c>: <c>q</c> and <c>output</c> have <c>Heads</c> heads and
/// <c>queryLength</c> rows, <c>k</c> and <c>v</c> have <c>KvHeads</c> heads and <c>keyLength</c> rows. Query head h
/// reads key/value head h / (Heads / KvHeads). Queries are the last ones (bottom-right alignment): query i sits at
/// position i + (keyLength − queryLength). A query with no visible key outputs zeros.
/// </remarks>
public interface IAttentionKernel
{
    /// <summary>The configuration this kernel computes.</summary>
    AttentionConfig Config { get; }

    /// <summary>Who made it: the attributed class's full name, or "generic".</summary>
    string Name { get; }

    /// <summary>Computes attention for a batch of equal-length sequences.</summary>
    /// <exception cref="ArgumentException">A length or size does not fit the configuration; nothing is written.</exception>
    void Forward(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, Span<float> output,
        int batch, int queryLength, int keyLength);

    /// <summary>
    /// Computes attention where sequence b has only its first <c>keyLengths[b]</c> keys (0 ≤ keyLengths[b] ≤
    /// keyLength); the rest are padding and invisible. Queries align to each sequence's own last key: query i sits at
    /// position i + (keyLengths[b] − queryLength), so a causal row whose position is negative sees no key and
    /// outputs zeros.
    /// </summary>
    /// <exception cref="ArgumentException">A length or size does not fit the configuration; nothing is written.</exception>
    void Forward(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, Span<float> output,
        int batch, int queryLength, int keyLength, ReadOnlySpan<int> keyLengths);

    /// <summary>
    /// Computes softmax attention as the other overloads do, and writes each query row's log-sum-exp: with it, the
    /// row's attention weights can be recomputed exactly as the kernel normalized them,
    /// p_ij = exp(scale · q_i·k_j − logSumExp[i]), without an N×N buffer.
    /// </summary>
    /// <param name="q">Queries, as in the other overloads.</param>
    /// <param name="k">Keys, as in the other overloads.</param>
    /// <param name="v">Values, as in the other overloads.</param>
    /// <param name="output">Output, as in the other overloads.</param>
    /// <param name="logSumExp">
    /// <c>[batch, heads, queryLength]</c>: ln Σⱼ exp(scale · q·kⱼ) over the row's visible keys (natural log, scale
    /// included); −∞ for a row that sees no key.
    /// </param>
    /// <param name="batch">Sequences in the batch.</param>
    /// <param name="queryLength">Query rows per head.</param>
    /// <param name="keyLength">Key rows per head, padding included.</param>
    /// <param name="keyLengths">Empty: every sequence has <paramref name="keyLength"/> keys. Otherwise one length per sequence, as in the padded overload.</param>
    /// <exception cref="ArgumentException">A length or size does not fit the configuration; nothing is written.</exception>
    /// <exception cref="NotSupportedException">The kernel computes linear attention, whose weights have no log-sum-exp.</exception>
    void Forward(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, Span<float> output, Span<float> logSumExp,
        int batch, int queryLength, int keyLength, ReadOnlySpan<int> keyLengths = default);
}

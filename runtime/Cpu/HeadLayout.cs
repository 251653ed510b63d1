using System;

namespace KernelGen;

/// <summary>
/// Moves rows between the token-major layout of the layers around attention, <c>[batch, seq, width]</c> with each
/// head's <c>headDim</c> columns side by side, and the kernels' head-major layout, <c>[batch, heads, seq, headDim]</c>.
/// Each move copies whole head rows, so it costs one pass over the data.
/// </summary>
/// <remarks>
/// Sequences are right-padded in token-major layout: sequence b's tokens are rows 0 … length − 1. In head-major
/// layout keys and values keep that order (the kernels take the first keyLengths[b] keys as valid), while queries
/// are moved to the end, rows seq − length … seq − 1, because the kernels align queries to the last valid key: query
/// row r of a padded sequence sits at position r − (seq − length), so token i lands at position i.
/// </remarks>
internal static class HeadLayout
{
    /// <summary>
    /// Copies columns [<paramref name="firstColumn"/>, + heads · headDim) of every token row into head-major rows;
    /// with <paramref name="alignToEnd"/>, each sequence's valid rows move to its last rows and the rows before them
    /// are zeroed (padding tokens are dropped), else every row keeps its index.
    /// </summary>
    public static void ToHeads(ReadOnlySpan<float> tokens, int tokenWidth, int firstColumn, Span<float> heads,
        int batch, int seq, int headCount, int headDim, ReadOnlySpan<int> lengths, bool alignToEnd)
    {
        for (int b = 0; b < batch; b++)
        {
            int length = lengths.IsEmpty ? seq : lengths[b];
            int shift = alignToEnd ? seq - length : 0;
            int tokenCount = alignToEnd ? length : seq;
            for (int h = 0; h < headCount; h++)
            {
                Span<float> head = heads.Slice((b * headCount + h) * seq * headDim, seq * headDim);
                head[..(shift * headDim)].Clear();
                for (int s = 0; s < tokenCount; s++)
                {
                    tokens.Slice((b * seq + s) * tokenWidth + firstColumn + h * headDim, headDim)
                        .CopyTo(head.Slice((s + shift) * headDim, headDim));
                }
            }
        }
    }

    /// <summary>
    /// The inverse of <see cref="ToHeads"/> for queries aligned to the end: token i of sequence b takes head row
    /// i + (seq − length) of each head; the padding tokens' rows are zeroed.
    /// </summary>
    public static void FromHeads(ReadOnlySpan<float> heads, Span<float> tokens, int batch, int seq, int headCount,
        int headDim, ReadOnlySpan<int> lengths)
    {
        int width = headCount * headDim;
        for (int b = 0; b < batch; b++)
        {
            int length = lengths.IsEmpty ? seq : lengths[b];
            int shift = seq - length;
            for (int s = 0; s < length; s++)
            {
                Span<float> token = tokens.Slice((b * seq + s) * width, width);
                for (int h = 0; h < headCount; h++)
                {
                    heads.Slice(((b * headCount + h) * seq + s + shift) * headDim, headDim)
                        .CopyTo(token.Slice(h * headDim, headDim));
                }
            }
            tokens.Slice((b * seq + length) * width, shift * width).Clear();
        }
    }
}

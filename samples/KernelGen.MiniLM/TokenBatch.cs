using System;

namespace KernelGen.MiniLM;

/// <summary>
/// Token ids for a batch of sequences right-padded to one length, as BERT models take them: <c>[batch, seq]</c> ids,
/// attention mask (1 for a token, 0 for padding) and token types, plus each sequence's token count.
/// </summary>
public sealed class TokenBatch
{
    /// <summary>A batch from its parts; every array holds batch × sequenceLength entries.</summary>
    /// <exception cref="ArgumentException">The arrays disagree in size or the mask is not 1s then 0s.</exception>
    public TokenBatch(long[] inputIds, long[] attentionMask, long[] tokenTypeIds, int batch, int sequenceLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(sequenceLength, 1);
        long size = (long)batch * sequenceLength;
        if (inputIds.Length != size || attentionMask.Length != size || tokenTypeIds.Length != size)
            throw new ArgumentException($"inputIds, attentionMask and tokenTypeIds must each hold batch × sequenceLength = {size} ids.", nameof(inputIds));
        Lengths = new int[batch];
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<long> mask = attentionMask.AsSpan(b * sequenceLength, sequenceLength);
            int length = mask.IndexOf(0L) is var firstPad and >= 0 ? firstPad : sequenceLength;
            if (mask[length..].ContainsAnyExcept(0L) || mask[..length].ContainsAnyExcept(1L))
                throw new ArgumentException($"attentionMask of sequence {b} must be 1 for its tokens, then 0 for padding.", nameof(attentionMask));
            Lengths[b] = length;
        }
        InputIds = inputIds;
        AttentionMask = attentionMask;
        TokenTypeIds = tokenTypeIds;
        Batch = batch;
        SequenceLength = sequenceLength;
    }

    /// <summary>Token ids, [batch, seq]; 0 ([PAD]) past each sequence's end.</summary>
    public long[] InputIds { get; }

    /// <summary>1 for a token, 0 for padding, [batch, seq].</summary>
    public long[] AttentionMask { get; }

    /// <summary>Segment of each token (all 0 for single sentences), [batch, seq].</summary>
    public long[] TokenTypeIds { get; }

    /// <summary>Number of sequences.</summary>
    public int Batch { get; }

    /// <summary>Rows per sequence, padding included.</summary>
    public int SequenceLength { get; }

    /// <summary>Tokens of each sequence, [CLS] and [SEP] included.</summary>
    public int[] Lengths { get; }

    /// <summary>Whether some sequence is shorter than <see cref="SequenceLength"/>.</summary>
    public bool IsPadded => Array.Exists(Lengths, length => length < SequenceLength);
}

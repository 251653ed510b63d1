using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;

namespace KernelGen.MiniLM;

/// <summary>
/// all-MiniLM-L6-v2's encoder on KernelGen: embeddings (word + position + token type, LayerNorm), then per layer
/// self-attention through the runtime's <see cref="MultiHeadAttention"/> and a generated kernel, residual and
/// LayerNorm, erf-GELU feed-forward, residual and LayerNorm (post-LN BERT). Output is <c>last_hidden_state</c>.
/// </summary>
/// <remarks>
/// Padded batches: padding tokens are invisible to every token, and their rows of the output are zero (ONNX Runtime
/// computes them anyway; nothing reads them). One encoder keeps scratch buffers between calls and must not run two
/// calls at once.
/// </remarks>
public sealed class MiniLMEncoder
{
    private const int Hidden = MiniLMWeights.Hidden, Intermediate = MiniLMWeights.Intermediate;
    private readonly MiniLMWeights _weights;
    private readonly MultiHeadAttention[] _attention;
    private readonly PackedWeights[] _feedForwardIn, _feedForwardOut;
    private float[] _hidden = [], _scratch = [], _intermediate = [];

    /// <summary>An encoder over <paramref name="weights"/> whose attention runs <paramref name="kernel"/>.</summary>
    /// <param name="weights">The model's weights.</param>
    /// <param name="kernel">An attention kernel for 12 heads of 32: <see cref="MiniLMAttention.Kernel"/> reproduces the model.</param>
    public MiniLMEncoder(MiniLMWeights weights, IAttentionKernel kernel)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(kernel);
        _weights = weights;
        _attention = weights.Layers.Select(layer => new MultiHeadAttention(kernel, Hidden, layer.Attention)).ToArray();
        _feedForwardIn = weights.Layers.Select(layer => PackedWeights.Create(layer.IntermediateWeight, Hidden, Intermediate, layer.IntermediateBias)).ToArray();
        _feedForwardOut = weights.Layers.Select(layer => PackedWeights.Create(layer.OutputWeight, Intermediate, Hidden, layer.OutputBias)).ToArray();
    }

    /// <summary>Each layer's self-attention, first to last.</summary>
    public IReadOnlyList<MultiHeadAttention> Attention => _attention;

    /// <summary>
    /// The hidden states after the first <paramref name="layers"/> layers (all when −1; 0 gives the embeddings),
    /// <c>[batch, seq, 384]</c>, into <paramref name="output"/>; rows of padding tokens are zero.
    /// </summary>
    /// <exception cref="ArgumentException">output has the wrong length, or layers is out of range.</exception>
    public void Forward(TokenBatch tokens, Span<float> output, int layers = -1)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        int rows = tokens.Batch * tokens.SequenceLength;
        if (output.Length != rows * Hidden)
            throw new ArgumentException($"output must hold batch × seq × {Hidden} = {rows * Hidden} floats, but holds {output.Length}.", nameof(output));
        if (layers < -1 || layers > _attention.Length)
            throw new ArgumentOutOfRangeException(nameof(layers), layers, $"layers must be −1 (all) or from 0 to {_attention.Length}.");
        if (tokens.SequenceLength > MiniLMWeights.MaxPositions)
            throw new ArgumentException($"The model takes at most {MiniLMWeights.MaxPositions} tokens per sequence.", nameof(tokens));

        if (_hidden.Length < rows * Hidden)
            (_hidden, _scratch) = (new float[rows * Hidden], new float[rows * Hidden]);
        if (_intermediate.Length < rows * Intermediate)
            _intermediate = new float[rows * Intermediate];
        Span<float> hidden = _hidden.AsSpan(0, rows * Hidden), scratch = _scratch.AsSpan(0, rows * Hidden);
        ReadOnlySpan<int> lengths = tokens.IsPadded ? tokens.Lengths : default;

        Embed(tokens, scratch);
        TransformerMath.LayerNorm(scratch, hidden, Hidden, _weights.EmbeddingNormScale, _weights.EmbeddingNormShift);
        for (int n = 0; n < (layers < 0 ? _attention.Length : layers); n++)
        {
            EncoderLayerWeights layer = _weights.Layers[n];
            _attention[n].Forward(hidden, scratch, tokens.Batch, tokens.SequenceLength, lengths);
            AddAndNormalize(rows, layer.AttentionNormScale, layer.AttentionNormShift);

            MatrixMultiply.Multiply(hidden, _feedForwardIn[n], _intermediate.AsSpan(0, rows * Intermediate), rows);
            float[] intermediate = _intermediate;
            ForRowRanges(rows, (first, count) => TransformerMath.Gelu(intermediate.AsSpan(first * Intermediate, count * Intermediate)));
            MatrixMultiply.Multiply(_intermediate.AsSpan(0, rows * Intermediate), _feedForwardOut[n], scratch, rows);
            AddAndNormalize(rows, layer.OutputNormScale, layer.OutputNormShift);
        }
        hidden.CopyTo(output);
        for (int b = 0; b < tokens.Batch; b++)
            output.Slice((b * tokens.SequenceLength + tokens.Lengths[b]) * Hidden, (tokens.SequenceLength - tokens.Lengths[b]) * Hidden).Clear();
    }

    /// <summary>hidden = LayerNorm(scratch + hidden), the residual step after each sublayer, rows shared across threads.</summary>
    private void AddAndNormalize(int rows, float[] scale, float[] shift)
    {
        float[] hidden = _hidden, scratch = _scratch;
        ForRowRanges(rows, (first, count) =>
        {
            Span<float> sum = scratch.AsSpan(first * Hidden, count * Hidden);
            TransformerMath.AddInPlace(sum, hidden.AsSpan(first * Hidden, count * Hidden));
            TransformerMath.LayerNorm(sum, hidden.AsSpan(first * Hidden, count * Hidden), Hidden, scale, shift);
        });
    }

    /// <summary>
    /// Runs <paramref name="range"/>(first row, row count) over <paramref name="rows"/> rows split into one range per
    /// thread (<see cref="AttentionParallelism.MaxDegreeOfParallelism"/>). Each row is computed alone, so the split
    /// never changes a bit of the result.
    /// </summary>
    private static void ForRowRanges(int rows, Action<int, int> range)
    {
        const int MinRowsPerThread = 64; // below this, starting threads costs more than the rows
        int threads = Math.Clamp(rows / MinRowsPerThread, 1, AttentionParallelism.MaxDegreeOfParallelism);
        if (threads == 1)
        {
            range(0, rows);
            return;
        }
        int perThread = (rows + threads - 1) / threads;
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads },
            t => range(t * perThread, Math.Min(rows, (t + 1) * perThread) - t * perThread));
    }

    /// <summary>All layers, into a new array.</summary>
    public float[] Forward(TokenBatch tokens, int layers = -1)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var output = new float[tokens.Batch * tokens.SequenceLength * Hidden];
        Forward(tokens, output, layers);
        return output;
    }

    private void Embed(TokenBatch tokens, Span<float> embeddings)
    {
        for (int b = 0; b < tokens.Batch; b++)
        {
            for (int s = 0; s < tokens.SequenceLength; s++)
            {
                int row = b * tokens.SequenceLength + s;
                Span<float> target = embeddings.Slice(row * Hidden, Hidden);
                long id = tokens.InputIds[row], type = tokens.TokenTypeIds[row];
                if ((ulong)id >= MiniLMWeights.Vocabulary || (ulong)type >= 2)
                    throw new ArgumentException($"Token {row} has id {id} and type {type}; ids must be below {MiniLMWeights.Vocabulary} and types 0 or 1.", nameof(tokens));
                _weights.WordEmbeddings.AsSpan((int)id * Hidden, Hidden).CopyTo(target);
                TransformerMath.AddInPlace(target, _weights.PositionEmbeddings.AsSpan(s * Hidden, Hidden));
                TransformerMath.AddInPlace(target, _weights.TokenTypeEmbeddings.AsSpan((int)type * Hidden, Hidden));
            }
        }
    }
}

using System;

namespace KernelGen;

/// <summary>
/// Multi-head self-attention, batch-first, as in "Attention Is All You Need" and <c>torch.nn.MultiheadAttention</c>:
/// Q, K and V projections with biases (K and V with <see cref="AttentionConfig.KvHeads"/> heads, for GQA and MQA), an
/// attention kernel per head, the heads concatenated, and an output projection.
/// </summary>
/// <remarks>
/// <para>Input and output are row-major <c>[batch, seq, modelDim]</c>. Sequences of different lengths are right-padded
/// to one length: sequence b's tokens are rows 0 … sequenceLengths[b] − 1, and the rest are padding. Padding tokens are
/// invisible as keys, every token sees exactly what it would see in its sequence alone (causal and window masks count
/// positions from its first token), and the output rows of padding tokens are zero.</para>
/// <para>A layer keeps its scratch buffers between calls, so calls allocate nothing once the largest batch has been
/// seen; for the same reason one layer must not run two calls at once. Its projections are packed once, for the
/// <see cref="AttentionCpu.Path"/> current when it is built (see <see cref="PackedWeights"/>).</para>
/// </remarks>
public sealed class MultiHeadAttention
{
    private readonly PackedWeights _input; // Q, K and V projections side by side: [modelDim, queryWidth + 2 keyWidth]
    private readonly PackedWeights _output;
    private readonly int _queryWidth, _keyWidth;
    private float[] _projected = [], _queries = [], _keys = [], _values = [], _attended = [];

    /// <summary>A layer that runs <paramref name="kernel"/> between the given projections.</summary>
    /// <param name="kernel">The attention kernel; its configuration sets heads, KV heads, head dim and mask.</param>
    /// <param name="modelDim">Width of the input and output rows.</param>
    /// <param name="projections">The learned weights, copied here.</param>
    /// <exception cref="ArgumentException">A size does not fit the kernel's configuration.</exception>
    public MultiHeadAttention(IAttentionKernel kernel, int modelDim, AttentionProjections projections)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        ArgumentNullException.ThrowIfNull(projections);
        ArgumentOutOfRangeException.ThrowIfLessThan(modelDim, 1);
        AttentionConfig config = kernel.Config;
        projections.Validate(config, modelDim, nameof(projections));

        Kernel = kernel;
        ModelDim = modelDim;
        _queryWidth = config.Heads * config.HeadDim;
        _keyWidth = config.ResolvedKvHeads * config.HeadDim;
        int width = _queryWidth + 2 * _keyWidth;
        var inputWeight = new float[modelDim * width];
        for (int row = 0; row < modelDim; row++)
        {
            Span<float> target = inputWeight.AsSpan(row * width, width);
            projections.QueryWeight.AsSpan(row * _queryWidth, _queryWidth).CopyTo(target);
            projections.KeyWeight.AsSpan(row * _keyWidth, _keyWidth).CopyTo(target[_queryWidth..]);
            projections.ValueWeight.AsSpan(row * _keyWidth, _keyWidth).CopyTo(target[(_queryWidth + _keyWidth)..]);
        }
        // Packed once here, not on every call: packing B is most of a projection's cost for a short sentence.
        _input = PackedWeights.Create(inputWeight, modelDim, width, [.. projections.QueryBias, .. projections.KeyBias, .. projections.ValueBias]);
        _output = PackedWeights.Create(projections.OutputWeight, _queryWidth, modelDim, projections.OutputBias);
    }

    /// <summary>The attention kernel between the projections.</summary>
    public IAttentionKernel Kernel { get; }

    /// <summary>The kernel's configuration.</summary>
    public AttentionConfig Config => Kernel.Config;

    /// <summary>Width of the input and output rows.</summary>
    public int ModelDim { get; }

    /// <summary>Runs the layer on <paramref name="input"/> and overwrites <paramref name="output"/>.</summary>
    /// <param name="input"><c>[batch, sequenceLength, ModelDim]</c>.</param>
    /// <param name="output"><c>[batch, sequenceLength, ModelDim]</c>; the rows of padding tokens become zero.</param>
    /// <param name="batch">Number of sequences.</param>
    /// <param name="sequenceLength">Rows per sequence, padding included.</param>
    /// <param name="sequenceLengths">Empty (no padding), or each sequence's token count, from 0 to sequenceLength.</param>
    /// <exception cref="ArgumentException">A size or span length does not fit; nothing is written.</exception>
    public void Forward(ReadOnlySpan<float> input, Span<float> output, int batch, int sequenceLength,
        ReadOnlySpan<int> sequenceLengths = default)
    {
        ValidateSizes(input.Length, batch, sequenceLength, sequenceLengths);
        RequireLength(output.Length, (long)batch * sequenceLength * ModelDim, nameof(output), "batch × sequenceLength × ModelDim");

        int rows = batch * sequenceLength;
        Grow(ref _queries, rows * _queryWidth);
        Grow(ref _keys, rows * _keyWidth);
        Grow(ref _values, rows * _keyWidth);
        Grow(ref _attended, rows * _queryWidth);
        Span<float> queries = _queries.AsSpan(0, rows * _queryWidth), attended = _attended.AsSpan(0, rows * _queryWidth);
        Span<float> keys = _keys.AsSpan(0, rows * _keyWidth), values = _values.AsSpan(0, rows * _keyWidth);
        ProjectValidated(input, batch, sequenceLength, sequenceLengths, queries, keys, values);

        if (sequenceLengths.IsEmpty)
            Kernel.Forward(queries, keys, values, attended, batch, sequenceLength, sequenceLength);
        else
            Kernel.Forward(queries, keys, values, attended, batch, sequenceLength, sequenceLength, sequenceLengths);

        Span<float> concatenated = queries; // the queries are spent once the kernel has run
        HeadLayout.FromHeads(attended, concatenated, batch, sequenceLength, Config.Heads, Config.HeadDim, sequenceLengths);
        MatrixMultiply.Multiply(concatenated, _output, output, rows);
        if (sequenceLengths.IsEmpty)
            return;
        for (int b = 0; b < batch; b++)
            output.Slice((b * sequenceLength + sequenceLengths[b]) * ModelDim, (sequenceLength - sequenceLengths[b]) * ModelDim).Clear();
    }

    /// <summary>
    /// The projected queries, keys and values of <paramref name="input"/>, in the kernels' head-major layout: what
    /// <see cref="Forward"/> hands its kernel, for running other kernels or <see cref="AttentionWeights"/> on them.
    /// </summary>
    /// <remarks>
    /// Keys and values of sequence b keep their token order (padding rows after the valid ones); queries are aligned
    /// to the end, as the kernels' padded overload expects: token i is query row i + (sequenceLength −
    /// sequenceLengths[b]), and the rows before the first token are zero. Without padding, token i is row i of all three.
    /// </remarks>
    /// <param name="input"><c>[batch, sequenceLength, ModelDim]</c>.</param>
    /// <param name="batch">Number of sequences.</param>
    /// <param name="sequenceLength">Rows per sequence, padding included.</param>
    /// <param name="sequenceLengths">Empty (no padding), or each sequence's token count, from 0 to sequenceLength.</param>
    /// <param name="queries">Receives <c>[batch, Heads, sequenceLength, HeadDim]</c>.</param>
    /// <param name="keys">Receives <c>[batch, KvHeads, sequenceLength, HeadDim]</c>.</param>
    /// <param name="values">Receives <c>[batch, KvHeads, sequenceLength, HeadDim]</c>.</param>
    /// <exception cref="ArgumentException">A size or span length does not fit; nothing is written.</exception>
    public void Project(ReadOnlySpan<float> input, int batch, int sequenceLength, ReadOnlySpan<int> sequenceLengths,
        Span<float> queries, Span<float> keys, Span<float> values)
    {
        ValidateSizes(input.Length, batch, sequenceLength, sequenceLengths);
        long rows = (long)batch * sequenceLength;
        RequireLength(queries.Length, rows * _queryWidth, nameof(queries), "batch × Heads × sequenceLength × HeadDim");
        RequireLength(keys.Length, rows * _keyWidth, nameof(keys), "batch × KvHeads × sequenceLength × HeadDim");
        RequireLength(values.Length, rows * _keyWidth, nameof(values), "batch × KvHeads × sequenceLength × HeadDim");
        ProjectValidated(input, batch, sequenceLength, sequenceLengths, queries, keys, values);
    }

    private void ProjectValidated(ReadOnlySpan<float> input, int batch, int sequenceLength, ReadOnlySpan<int> sequenceLengths,
        Span<float> queries, Span<float> keys, Span<float> values)
    {
        int rows = batch * sequenceLength, width = _queryWidth + 2 * _keyWidth;
        Grow(ref _projected, rows * width);
        Span<float> projected = _projected.AsSpan(0, rows * width);
        MatrixMultiply.Multiply(input, _input, projected, rows);

        AttentionConfig config = Config;
        int d = config.HeadDim, kvHeads = config.ResolvedKvHeads;
        HeadLayout.ToHeads(projected, width, 0, queries, batch, sequenceLength, config.Heads, d, sequenceLengths, alignToEnd: true);
        HeadLayout.ToHeads(projected, width, _queryWidth, keys, batch, sequenceLength, kvHeads, d, sequenceLengths, alignToEnd: false);
        HeadLayout.ToHeads(projected, width, _queryWidth + _keyWidth, values, batch, sequenceLength, kvHeads, d, sequenceLengths, alignToEnd: false);
    }

    private void ValidateSizes(int inputLength, int batch, int sequenceLength, ReadOnlySpan<int> sequenceLengths)
    {
        if (batch <= 0)
            throw new ArgumentOutOfRangeException(nameof(batch), batch, $"batch must be positive, but is {batch}.");
        if (sequenceLength <= 0)
            throw new ArgumentOutOfRangeException(nameof(sequenceLength), sequenceLength, $"sequenceLength must be positive, but is {sequenceLength}.");
        RequireLength(inputLength, (long)batch * sequenceLength * ModelDim, "input", "batch × sequenceLength × ModelDim");
        if (sequenceLengths.IsEmpty)
            return;
        if (sequenceLengths.Length != batch)
            throw new ArgumentException($"sequenceLengths must be empty or hold one length per sequence (batch = {batch}), but holds {sequenceLengths.Length}.", nameof(sequenceLengths));
        foreach (int length in sequenceLengths)
        {
            if ((uint)length > (uint)sequenceLength)
                throw new ArgumentException($"sequenceLengths must each be from 0 to sequenceLength = {sequenceLength}, but one is {length}.", nameof(sequenceLengths));
        }
    }

    private static void RequireLength(int actual, long expected, string name, string what)
    {
        if (actual != expected)
            throw new ArgumentException($"{name} must hold {what} = {expected} floats, but holds {actual}.", name);
    }

    private static void Grow(ref float[] buffer, int length)
    {
        if (buffer.Length < length)
            buffer = new float[length];
    }
}

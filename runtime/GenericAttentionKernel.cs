using System;
using System.Buffers;

namespace KernelGen;

/// <summary>
/// The non-specialized kernel: computes any valid configuration with the configuration read at run time. It serves
/// configurations that were not declared with <see cref="AttentionAttribute"/>, and it is the baseline generated
/// kernels are benchmarked against. Softmax attention runs row by row (one row buffer, never N×N); linear attention
/// keeps a running state over each query's visible keys.
/// </summary>
public sealed class GenericAttentionKernel : IAttentionKernel
{
    private readonly int _headDim, _heads, _kvHeads, _groupSize, _window;
    private readonly bool _causal;
    private readonly float _scale;

    /// <summary>A generic kernel for <paramref name="config"/>.</summary>
    /// <exception cref="ArgumentException">The configuration breaks a rule of <see cref="AttentionAttribute"/>.</exception>
    public GenericAttentionKernel(AttentionConfig config)
    {
        config.Validate(nameof(config));
        Config = config;
        _headDim = config.HeadDim;
        _heads = config.Heads;
        _kvHeads = config.ResolvedKvHeads;
        _groupSize = _heads / _kvHeads;
        _window = config.Window;
        _causal = config.Causal;
        _scale = (float)config.ResolvedScale;
    }

    /// <inheritdoc/>
    public AttentionConfig Config { get; }

    /// <inheritdoc/>
    public string Name => "generic";

    /// <inheritdoc/>
    public void Forward(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, Span<float> output,
        int batch, int queryLength, int keyLength)
    {
        AttentionArguments.Validate(_headDim, _heads, _kvHeads, q.Length, k.Length, v.Length, output.Length, batch, queryLength, keyLength);
        if (_causal)
            AttentionArguments.ValidateCausal(queryLength, keyLength);
        Run(q, k, v, output, batch, queryLength, keyLength, default);
    }

    /// <inheritdoc/>
    public void Forward(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, Span<float> output,
        int batch, int queryLength, int keyLength, ReadOnlySpan<int> keyLengths)
    {
        AttentionArguments.Validate(_headDim, _heads, _kvHeads, q.Length, k.Length, v.Length, output.Length, batch, queryLength, keyLength);
        AttentionArguments.ValidateKeyLengths(keyLengths, batch, keyLength);
        Run(q, k, v, output, batch, queryLength, keyLength, keyLengths);
    }

    /// <inheritdoc/>
    public void Forward(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, Span<float> output, Span<float> logSumExp,
        int batch, int queryLength, int keyLength, ReadOnlySpan<int> keyLengths = default)
    {
        if (Config.Kind != AttentionKind.Softmax)
            throw new NotSupportedException("Linear attention has no log-sum-exp: its weights are normalized by φ(q)·Σφ(k), not by a softmax.");
        AttentionArguments.Validate(_headDim, _heads, _kvHeads, q.Length, k.Length, v.Length, output.Length, batch, queryLength, keyLength);
        AttentionArguments.ValidateLogSumExp(logSumExp.Length, batch, _heads, queryLength);
        AttentionArguments.ValidateKeyLengthsOrCausal(keyLengths, batch, queryLength, keyLength, _causal);
        Run(q, k, v, output, batch, queryLength, keyLength, keyLengths, logSumExp);
    }

    private void Run(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, Span<float> output,
        int batch, int queryLength, int keyLength, ReadOnlySpan<int> keyLengths, Span<float> logSumExp = default)
    {
        int d = _headDim;
        for (int b = 0; b < batch; b++)
        {
            int validKeys = keyLengths.IsEmpty ? keyLength : keyLengths[b];
            for (int kvh = 0; kvh < _kvHeads; kvh++)
            {
                int kvOffset = (b * _kvHeads + kvh) * keyLength * d;
                ReadOnlySpan<float> kHead = k.Slice(kvOffset, keyLength * d);
                ReadOnlySpan<float> vHead = v.Slice(kvOffset, keyLength * d);
                int firstHead = kvh * _groupSize;
                int qOffset = (b * _heads + firstHead) * queryLength * d;
                ReadOnlySpan<float> qGroup = q.Slice(qOffset, _groupSize * queryLength * d);
                Span<float> outGroup = output.Slice(qOffset, _groupSize * queryLength * d);
                Span<float> lseGroup = logSumExp.IsEmpty ? default : logSumExp.Slice((b * _heads + firstHead) * queryLength, _groupSize * queryLength);
                if (Config.Kind == AttentionKind.Softmax)
                    SoftmaxGroup(qGroup, kHead, vHead, outGroup, lseGroup, queryLength, validKeys);
                else
                    LinearGroup(qGroup, kHead, vHead, outGroup, queryLength, validKeys);
            }
        }
    }

    /// <summary>
    /// Softmax attention for the query heads that share one key/value head, one row at a time; writes each row's
    /// log-sum-exp when <paramref name="lseGroup"/> is not empty.
    /// </summary>
    private void SoftmaxGroup(ReadOnlySpan<float> qGroup, ReadOnlySpan<float> kHead, ReadOnlySpan<float> vHead,
        Span<float> outGroup, Span<float> lseGroup, int queryLength, int validKeys)
    {
        int d = _headDim;
        float[] scores = ArrayPool<float>.Shared.Rent(Math.Max(validKeys, 1));
        try
        {
            for (int row = 0; row < _groupSize * queryLength; row++)
            {
                int i = row % queryLength;
                ReadOnlySpan<float> qRow = qGroup.Slice(row * d, d);
                Span<float> outRow = outGroup.Slice(row * d, d);
                outRow.Clear();
                (int start, int end) = AttentionMask.VisibleKeys(_causal, _window, i + validKeys - queryLength, validKeys);
                if (!lseGroup.IsEmpty)
                    lseGroup[row] = float.NegativeInfinity;
                if (start == end)
                    continue;

                float max = float.NegativeInfinity;
                for (int j = start; j < end; j++)
                {
                    float s = _scale * Dot(qRow, kHead.Slice(j * d, d));
                    scores[j - start] = s;
                    max = Math.Max(max, s);
                }
                float sum = 0;
                for (int j = start; j < end; j++)
                {
                    float p = MathF.Exp(scores[j - start] - max);
                    sum += p;
                    AddScaled(outRow, vHead.Slice(j * d, d), p);
                }
                Scale(outRow, 1f / sum);
                if (!lseGroup.IsEmpty)
                    lseGroup[row] = max + MathF.Log(sum);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scores);
        }
    }

    /// <summary>
    /// Linear attention for the query heads that share one key/value head: a running state S = Σ φ(k)vᵀ, z = Σ φ(k)
    /// over the current query's visible keys, grown at the range's end and shrunk at its start as the position moves.
    /// </summary>
    private void LinearGroup(ReadOnlySpan<float> qGroup, ReadOnlySpan<float> kHead, ReadOnlySpan<float> vHead,
        Span<float> outGroup, int queryLength, int validKeys)
    {
        int d = _headDim;
        float[] rented = ArrayPool<float>.Shared.Rent(d * d + 2 * d);
        Span<float> state = rented.AsSpan(0, d * d);
        Span<float> normalizer = rented.AsSpan(d * d, d);
        Span<float> phi = rented.AsSpan(d * d + d, d);
        state.Clear();
        normalizer.Clear();
        try
        {
            int inStart = 0, inEnd = 0;
            int nonFiniteEnd = 0; // one past the last key in the state with a non-finite φ(k) or v; ≤ inStart if none
            for (int i = 0; i < queryLength; i++)
            {
                (int start, int end) = AttentionMask.VisibleKeys(_causal, _window, i + validKeys - queryLength, validKeys);
                // No key in the state is visible any more: start afresh at the range rather than add keys only to
                // subtract them again, which would leave the rounding error of every key before the window. Likewise
                // once the window has left a non-finite key or value, which does not subtract out (NaN − NaN is NaN).
                if (start >= inEnd || (nonFiniteEnd > inStart && start >= nonFiniteEnd))
                {
                    state.Clear();
                    normalizer.Clear();
                    inStart = inEnd = start;
                }
                for (; inEnd < end; inEnd++)
                {
                    Accumulate(kHead.Slice(inEnd * d, d), vHead.Slice(inEnd * d, d), state, normalizer, phi, +1f);
                    if (_window > 0 && NonFiniteRows.LastEnd(kHead, vHead, d, inEnd, inEnd + 1) > 0) // only a window subtracts
                        nonFiniteEnd = inEnd + 1;
                }
                for (; inStart < start; inStart++)
                    Accumulate(kHead.Slice(inStart * d, d), vHead.Slice(inStart * d, d), state, normalizer, phi, -1f);

                for (int g = 0; g < _groupSize; g++)
                {
                    int row = g * queryLength + i;
                    Span<float> outRow = outGroup.Slice(row * d, d);
                    outRow.Clear();
                    if (start == end)
                        continue;
                    ReadOnlySpan<float> qRow = qGroup.Slice(row * d, d);
                    float denominator = AttentionRules.LinearEpsilon;
                    for (int a = 0; a < d; a++)
                    {
                        float phiQ = LinearFeatureMap.Phi(qRow[a]);
                        denominator += phiQ * normalizer[a];
                        AddScaled(outRow, state.Slice(a * d, d), phiQ);
                    }
                    Scale(outRow, 1f / denominator);
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rented);
        }
    }

    /// <summary>Adds (sign = +1) or removes (sign = −1) key j's φ(k)vᵀ and φ(k) from the running state.</summary>
    private static void Accumulate(ReadOnlySpan<float> kRow, ReadOnlySpan<float> vRow, Span<float> state,
        Span<float> normalizer, Span<float> phi, float sign)
    {
        int d = kRow.Length;
        for (int a = 0; a < d; a++)
        {
            phi[a] = sign * LinearFeatureMap.Phi(kRow[a]);
            normalizer[a] += phi[a];
        }
        for (int a = 0; a < d; a++)
            AddScaled(state.Slice(a * d, d), vRow, phi[a]);
    }

    private static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        float sum = 0;
        for (int i = 0; i < x.Length; i++)
            sum += x[i] * y[i];
        return sum;
    }

    private static void AddScaled(Span<float> target, ReadOnlySpan<float> source, float factor)
    {
        for (int i = 0; i < target.Length; i++)
            target[i] += factor * source[i];
    }

    private static void Scale(Span<float> target, float factor)
    {
        for (int i = 0; i < target.Length; i++)
            target[i] *= factor;
    }
}

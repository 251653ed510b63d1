using System;

namespace KernelGen;

/// <summary>
/// Attention in float64 straight from its definition, one (query, key) pair at a time: slow, and meant for checking
/// kernels, not for running models. Same layout, alignment and masking as <see cref="IAttentionKernel"/>.
/// </summary>
public static class ReferenceAttention
{
    /// <summary>Computes <paramref name="config"/> on float inputs in float64 and returns the float64 output.</summary>
    /// <remarks>Arguments as in <see cref="IAttentionKernel.Forward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int, ReadOnlySpan{int})"/>;
    /// an empty <paramref name="keyLengths"/> means keyLength for every sequence.</remarks>
    public static double[] Forward(AttentionConfig config, ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v,
        int batch, int queryLength, int keyLength, ReadOnlySpan<int> keyLengths = default)
    {
        config.Validate(nameof(config));
        int d = config.HeadDim, heads = config.Heads, kvHeads = config.ResolvedKvHeads;
        AttentionArguments.Validate(d, heads, kvHeads, q.Length, k.Length, v.Length, q.Length, batch, queryLength, keyLength);
        if (!keyLengths.IsEmpty)
            AttentionArguments.ValidateKeyLengths(keyLengths, batch, keyLength);

        var output = new double[q.Length];
        var weights = new double[keyLength];
        for (int b = 0; b < batch; b++)
        {
            int validKeys = keyLengths.IsEmpty ? keyLength : keyLengths[b];
            for (int h = 0; h < heads; h++)
            {
                int kvHead = h / (heads / kvHeads);
                for (int i = 0; i < queryLength; i++)
                {
                    int position = i + validKeys - queryLength;
                    int qRow = ((b * heads + h) * queryLength + i) * d;
                    double total = 0, max = double.NegativeInfinity;
                    for (int j = 0; j < keyLength; j++)
                    {
                        int kRow = ((b * kvHeads + kvHead) * keyLength + j) * d;
                        if (!IsVisible(config, position, j, validKeys))
                        {
                            weights[j] = double.NaN;
                            continue;
                        }
                        double w = 0;
                        for (int a = 0; a < d; a++)
                        {
                            w += config.Kind == AttentionKind.Softmax
                                ? (double)q[qRow + a] * k[kRow + a]
                                : Phi(q[qRow + a]) * Phi(k[kRow + a]);
                        }
                        weights[j] = config.Kind == AttentionKind.Softmax ? w * config.ResolvedScale : w;
                        max = Math.Max(max, weights[j]);
                    }
                    for (int j = 0; j < keyLength; j++)
                    {
                        if (double.IsNaN(weights[j]))
                            continue;
                        double w = config.Kind == AttentionKind.Softmax ? Math.Exp(weights[j] - max) : weights[j];
                        weights[j] = w;
                        total += w;
                    }
                    if (config.Kind == AttentionKind.Linear)
                        total += AttentionRules.LinearEpsilon;
                    if (total == 0)
                        continue; // sees no key: zeros
                    for (int j = 0; j < keyLength; j++)
                    {
                        if (double.IsNaN(weights[j]))
                            continue;
                        int vRow = ((b * kvHeads + kvHead) * keyLength + j) * d;
                        for (int a = 0; a < d; a++)
                            output[qRow + a] += weights[j] / total * v[vRow + a];
                    }
                }
            }
        }
        return output;
    }

    /// <summary>The mask as a predicate on one (position, key) pair.</summary>
    public static bool IsVisible(AttentionConfig config, int position, int key, int validKeys)
    {
        if (key < 0 || key >= validKeys)
            return false;
        if (config.Causal)
            return key <= position && (config.Window == 0 || position - config.Window < key);
        return config.Window == 0 || Math.Abs(position - key) < config.Window;
    }

    private static double Phi(double x) => x >= 0 ? x + 1 : Math.Exp(x);
}

using System;
using System.Collections.Generic;
using System.Linq;

namespace KernelGen.MiniLM;

/// <summary>
/// The attention weights of one layer of the model on one sentence, as heatmap panels: every head of the model's own
/// attention, or one head's queries and keys run through other attention variants.
/// </summary>
public static class AttentionMaps
{
    /// <summary>The variants the comparison shows, the model's own first: the generated kernels' configurations.</summary>
    public static IReadOnlyList<(string Name, AttentionConfig Config)> Variants { get; } =
    [
        ("softmax, full (the model)", MiniLMAttention.Kernel.Instance.Config),
        ("softmax, causal", MiniLMCausalAttention.Kernel.Instance.Config),
        ($"softmax, window W={MiniLMWindowAttention.Kernel.Instance.Config.Window}", MiniLMWindowAttention.Kernel.Instance.Config),
        ("linear, φ = elu + 1", MiniLMLinearAttention.Kernel.Instance.Config),
    ];

    /// <summary>Every head of layer <paramref name="layer"/> on the first sentence of <paramref name="tokens"/>.</summary>
    public static IReadOnlyList<AttentionPanel> Heads(MiniLMEncoder encoder, TokenBatch tokens, int layer)
    {
        (float[] q, float[] k, int n) = Project(encoder, tokens, layer);
        AttentionConfig config = encoder.Attention[layer].Config;
        return Enumerable.Range(0, config.Heads)
            .Select(head => new AttentionPanel($"layer {layer}, head {head}", Weights(config, q, k, n, head)))
            .ToArray();
    }

    /// <summary>Head <paramref name="head"/> of layer <paramref name="layer"/> through each of <see cref="Variants"/>.</summary>
    public static IReadOnlyList<AttentionPanel> CompareVariants(MiniLMEncoder encoder, TokenBatch tokens, int layer, int head)
    {
        (float[] q, float[] k, int n) = Project(encoder, tokens, layer);
        return Variants
            .Select(variant => new AttentionPanel($"{variant.Name}, head {head}", Weights(variant.Config, q, k, n, head)))
            .ToArray();
    }

    private static (float[] Q, float[] K, int Tokens) Project(MiniLMEncoder encoder, TokenBatch tokens, int layer)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(tokens);
        if ((uint)layer >= (uint)encoder.Attention.Count)
            throw new ArgumentOutOfRangeException(nameof(layer), layer, $"layer must be from 0 to {encoder.Attention.Count - 1}.");
        // One sentence, unpadded: its queries and keys then sit at rows 0 … n − 1 of every head.
        int n = tokens.Lengths[0];
        var sentence = new TokenBatch(tokens.InputIds[..n], tokens.AttentionMask[..n], tokens.TokenTypeIds[..n], 1, n);
        float[] hidden = encoder.Forward(sentence, layers: layer);
        MultiHeadAttention attention = encoder.Attention[layer];
        var q = new float[n * attention.Config.Heads * attention.Config.HeadDim];
        var k = new float[n * attention.Config.ResolvedKvHeads * attention.Config.HeadDim];
        attention.Project(hidden, 1, n, default, q, k, new float[k.Length]);
        return (q, k, n);
    }

    private static float[] Weights(AttentionConfig config, float[] q, float[] k, int n, int head)
    {
        var weights = new float[n * n];
        int[] rows = Enumerable.Range(0, n).ToArray();
        AttentionWeights.Compute(config, q, k, 1, n, n, default, 0, [head], rows, weights);
        return weights;
    }
}

using KernelGen;

namespace KernelGen.MiniLM;

// The model's attention, and the variants its heatmaps compare: the generator writes a kernel for each.

/// <summary>all-MiniLM-L6-v2's self-attention: 12 heads of 32, full (bidirectional), scale 1/√32.</summary>
[Attention(32, Heads = 12)]
public static partial class MiniLMAttention;

/// <summary>The same heads made causal: each token sees itself and the tokens before it.</summary>
[Attention(32, Heads = 12, Causal = true)]
public static partial class MiniLMCausalAttention;

/// <summary>The same heads through a window: each token sees the tokens fewer than 4 positions away.</summary>
[Attention(32, Heads = 12, Window = 4)]
public static partial class MiniLMWindowAttention;

/// <summary>The same heads as linear attention, φ(x) = elu(x) + 1 instead of softmax.</summary>
[Attention(32, Heads = 12, Kind = AttentionKind.Linear)]
public static partial class MiniLMLinearAttention;

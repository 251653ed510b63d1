using KernelGen;

namespace KernelGen.Demo;

// One class per variant the demo shows; the generator writes a Forward specialized for each.

[Attention(64, Heads = 8)]
public static partial class FullAttention;

[Attention(64, Heads = 8, Causal = true)]
public static partial class CausalFlash;

[Attention(64, Heads = 8, Causal = true, Algorithm = AttentionAlgorithm.Materialized)]
public static partial class CausalMaterialized;

[Attention(128, Heads = 8, KvHeads = 2, Causal = true, TileQ = 32, TileKv = 128)]
public static partial class GroupedQueryCausal;

[Attention(64, Heads = 8, KvHeads = 1, Causal = true, Window = 128)]
public static partial class MultiQuerySlidingWindow;

[Attention(40, Heads = 4, Window = 32)]
public static partial class LocalAttention;

[Attention(64, Heads = 8, Causal = true, Kind = AttentionKind.Linear)]
public static partial class CausalLinear;

[Attention(64, Heads = 8, Window = 64, Kind = AttentionKind.Linear, Algorithm = AttentionAlgorithm.Materialized)]
public static partial class WindowedLinearWeights;

using KernelGen;

namespace KernelGen.GpuBench;

// The shapes: B = 1, H = 16, D ∈ {64, 128}, causal and not, fp32.

[Attention(64, Heads = 16)]
internal static partial class Full64;

[Attention(64, Heads = 16, Causal = true)]
internal static partial class Causal64;

[Attention(128, Heads = 16)]
internal static partial class Full128;

[Attention(128, Heads = 16, Causal = true)]
internal static partial class Causal128;

// Beside them, for --check on the GPU: the other kinds of kernel the generator writes.

[Attention(64, Heads = 8, KvHeads = 2, Causal = true, Window = 100)]
internal static partial class GqaCausalWindow64;

[Attention(136, Heads = 4, Window = 9)]
internal static partial class Window136;

[Attention(256, Heads = 4, Causal = true)]
internal static partial class Causal256;

[Attention(64, Heads = 4, KvHeads = 2, Causal = true, Kind = AttentionKind.Linear)]
internal static partial class LinearCausal64;

[Attention(40, Heads = 4, Window = 20, Kind = AttentionKind.Linear)]
internal static partial class LinearWindow40;

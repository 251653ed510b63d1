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

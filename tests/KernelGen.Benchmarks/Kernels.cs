using KernelGen;

namespace KernelGen.Benchmarks;

// One [Attention] class per benchmark case of the full suite; the generator writes a Forward specialized for each.
// Sequence lengths are run-time arguments, so the quick mode's shortened cases reuse these classes.

[Attention(64, Heads = 8)]
public static partial class Prefill_N1024_D64_Full;

[Attention(64, Heads = 8, Causal = true)]
public static partial class Prefill_N1024_D64_Causal;

[Attention(128, Heads = 8)]
public static partial class Prefill_N1024_D128_Full;

[Attention(128, Heads = 8, Causal = true)]
public static partial class Prefill_N1024_D128_Causal;

[Attention(64, Heads = 8)]
public static partial class Prefill_N4096_D64_Full;

[Attention(64, Heads = 8, Causal = true)]
public static partial class Prefill_N4096_D64_Causal;

[Attention(128, Heads = 8)]
public static partial class Prefill_N4096_D128_Full;

[Attention(128, Heads = 8, Causal = true)]
public static partial class Prefill_N4096_D128_Causal;

[Attention(128, Heads = 8, KvHeads = 2, Causal = true)]
public static partial class Gqa8x2_N4096_D128_Causal;

[Attention(64, Heads = 8, Causal = true, Window = 512)]
public static partial class Window512_N16384_D64_Causal;

// Decoding: one new query against a cache of keys. Causal as in a language model; with bottom-right alignment the
// last query sees every key, so the result equals non-causal attention (which the ONNX Runtime peer computes).
[Attention(128, Heads = 8, Causal = true)]
public static partial class Decode_Mha8_K4096_D128;

[Attention(128, Heads = 8, KvHeads = 2, Causal = true)]
public static partial class Decode_Gqa8x2_K4096_D128;

[Attention(64, Heads = 8, Causal = true, Kind = AttentionKind.Linear)]
public static partial class Linear_N16384_D64_Causal;

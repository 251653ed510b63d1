using System.Runtime.Intrinsics.X86;

namespace KernelGen;

/// <summary>
/// The CPU's vector register file, which the runtime kernels' register blocks are sized for: 32 registers with AVX-512
/// (its encoding reaches zmm/ymm/xmm 16–31 for every width), 16 without it (AVX2, and SSE for scalar code). A constant
/// to the JIT, so each machine compiles only the blocks that fit it.
/// </summary>
internal static class VectorRegisters
{
    /// <summary>Whether there are 32 vector registers rather than 16.</summary>
    public static bool ThirtyTwo => Avx512F.IsSupported;
}

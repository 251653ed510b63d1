using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace KernelGen;

/// <summary>
/// Per-thread scratch for <see cref="MatrixMultiply"/>: pinned arrays that only grow, so steady-state calls allocate
/// nothing, handed out 64-byte aligned so that packed panels never split a vector across cache lines.
/// </summary>
internal static unsafe class GemmScratch
{
    // The calling thread's packed B, read by every worker during its call.
    [ThreadStatic] private static float[]? t_packedB;

    /// <summary>At least <paramref name="floats"/> floats for the packed B of a call made on this thread.</summary>
    public static float* PackedB(long floats) => Aligned(ref t_packedB, floats);

    private static float* Aligned(ref float[]? buffer, long floats)
    {
        long needed = floats + CacheLineAlignment.Slack;
        if (buffer is null || buffer.Length < needed)
            buffer = GC.AllocateUninitializedArray<float>(checked((int)needed), pinned: true);
        return (float*)CacheLineAlignment.RoundUp((nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer)));
    }
}

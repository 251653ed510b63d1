using System;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace KernelGen;

/// <summary>
/// Asks the caches for data a kernel will read soon, so that its first touch does not wait on memory. A hint only:
/// no effect on results, and nothing at all where the CPU has no prefetch instruction.
/// </summary>
public static class CachePrefetch
{
    private const int LineFloats = 64 / sizeof(float);

    /// <summary>Prefetches every cache line of <paramref name="data"/> into all cache levels.</summary>
    public static unsafe void Lines(ReadOnlySpan<float> data)
    {
        if (!Sse.IsSupported || data.IsEmpty)
            return;
        fixed (float* start = &MemoryMarshal.GetReference(data))
        {
            for (int i = 0; i < data.Length; i += LineFloats)
                Sse.Prefetch0(start + i);
            Sse.Prefetch0(start + data.Length - 1);
        }
    }
}

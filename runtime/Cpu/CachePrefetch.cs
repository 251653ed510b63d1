using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace KernelGen;

/// <summary>
/// Asks the caches for data a kernel will read soon, so that its first touch does not wait on memory. A hint only:
/// no effect on results, and nothing at all where the CPU has no prefetch instruction.
/// </summary>
public static class CachePrefetch
{
    /// <summary>Floats per 64-byte cache line.</summary>
    public const int LineFloats = 64 / sizeof(float);

    /// <summary>
    /// Keys and values together above this many floats (12 MiB) are prefetched by the decoding kernels as they read
    /// them. A cache that size comes from memory, and prefetching it gained 50–90% (1 query, D = 128, H = 8: 2048 and
    /// 4096 keys, 16.8 and 33.6 MB). One that still sat in the caches from the call before lost 13–30% to the prefetches
    /// (256 and 1024 keys, 2.1 and 8.4 MB). Where the line falls depends on the machine's caches (here between 8.4 and
    /// 16.8 MB). A smaller cache that other layers' work has evicted since (as in a whole model) also comes from memory,
    /// but is not prefetched: the call cannot tell.
    /// </summary>
    public const int StreamedCacheFloats = 3 << 20;

    /// <summary>Prefetches every cache line of <paramref name="data"/> into all cache levels.</summary>
    // Optimized from the first call: decoding calls it for every key and value row it streams, and such helpers, left
    // to the JIT's first tier, ran unoptimized through a benchmark's first calls (the linear kernel's prefetch took 34 ms
    // instead of 26.5 a call there, N=16384).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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

/// <summary>
/// Up to three regions a kernel will read after the loop it is in, prefetched in equal parts: one part of each region
/// before each of the loop's register blocks, so the misses overlap the FMAs and the regions stream side by side.
/// Fetched in one burst, more lines than the core can have in flight stall it until they arrive.
/// </summary>
/// <remarks>
/// A part is a few inlined prefetches per region, with the division into parts done once. Kernels take it by reference:
/// copied into each call (120 bytes, four copies a chunk) it held causal linear attention (N = 16384, D = 64, harness,
/// medians of alternating runs) at 101.2 GFLOP/s against 106.9. Against the same prefetches written into a hand-written
/// chunk's loop it still costs about 5% there, as the queue it replaced did (which handed out lines region after region
/// through calls); a part computed from its index, two divisions a region, cost 7%.
/// </remarks>
public ref struct PrefetchRegions(PrefetchRuns first, PrefetchRuns second = default, PrefetchRuns third = default)
{
    private PrefetchRuns first = first, second = second, third = third;

    /// <summary>Sets the parts to come: each <see cref="FetchPart"/> fetches 1/<paramref name="parts"/> of each region.</summary>
    public void Split(int parts)
    {
        first.Split(parts);
        second.Split(parts);
        third.Split(parts);
    }

    /// <summary>Prefetches the next part of each region.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void FetchPart()
    {
        first.FetchPart();
        second.FetchPart();
        third.FetchPart();
    }
}

/// <summary>
/// <c>runs</c> runs of <c>runLength</c> floats, <c>runStride</c> apart, from the start of a span, as cache lines to
/// prefetch in parts: line i of a run is the one that holds its float i·16. (A run that does not start on a line
/// boundary ends in part of one line more, which is left to the hardware.)
/// </summary>
public ref struct PrefetchRuns
{
    private readonly ref float start;
    private readonly int runLength, runStride, linesPerRun;
    private int fetched, runStart, line, share;

    /// <summary>One run: all of <paramref name="data"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public PrefetchRuns(ReadOnlySpan<float> data)
        : this(data, data.Length, 0, 1)
    {
    }

    /// <summary><paramref name="runs"/> runs of <paramref name="runLength"/> floats, <paramref name="runStride"/> apart.</summary>
    /// <exception cref="ArgumentException"><paramref name="data"/> does not hold the last run.</exception>
    // Inlined, as the one-run form: called, the struct came back through memory and the copy that followed each call
    // stalled on it (1.9% of all samples of causal linear attention, N = 16384, D = 64, where the chunk loop builds
    // three a chunk; its own code fell from 3.2% to 1.4%).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public PrefetchRuns(ReadOnlySpan<float> data, int runLength, int runStride, int runs)
    {
        if (runs < 0 || runLength < 0 || runStride < 0 || (runs > 0 && (long)(runs - 1) * runStride + runLength > data.Length))
            throw new ArgumentException($"data ({data.Length} floats) must hold {runs} runs of {runLength} floats {runStride} apart.", nameof(data));
        start = ref MemoryMarshal.GetReference(data);
        this.runLength = runLength;
        this.runStride = runStride;
        linesPerRun = (runLength + CachePrefetch.LineFloats - 1) / CachePrefetch.LineFloats;
        Lines = runs * linesPerRun;
    }

    /// <summary>The lines to prefetch: one per 16 floats of each run, rounded up.</summary>
    public int Lines { get; }

    /// <summary>Lines handed out so far.</summary>
    public readonly int Fetched => fetched;

    /// <summary>Sets the parts to come: each <see cref="FetchPart"/> fetches 1/<paramref name="parts"/> of the lines left (rounded up).</summary>
    public void Split(int parts)
    {
        int left = Lines - fetched;
        share = parts <= 0 ? 0 : left / parts + (left % parts == 0 ? 0 : 1);
    }

    /// <summary>Prefetches the next part.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void FetchPart()
    {
        var prefetch = new Prefetch();
        Walk(ref prefetch);
    }

    /// <summary>
    /// The float offsets, from the start of the span, of the lines that <see cref="FetchPart"/> would prefetch next,
    /// moving on as it would (for checks: it allocates).
    /// </summary>
    public int[] NextOffsets()
    {
        var record = new Record(new List<int>());
        Walk(ref record);
        return record.Offsets.ToArray();
    }

    private interface ILineAction
    {
        void At(ref float line, int offset);
    }

    private readonly struct Prefetch : ILineAction
    {
        // The pointer is taken without pinning: should the collector move the span's array meanwhile, the hint goes to
        // memory that no longer holds it, which is harmless (a prefetch never faults).
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public unsafe void At(ref float line, int offset)
        {
            if (Sse.IsSupported)
                Sse.Prefetch0(Unsafe.AsPointer(ref line));
        }
    }

    private readonly struct Record(List<int> offsets) : ILineAction
    {
        public List<int> Offsets { get; } = offsets;

        public void At(ref float line, int offset) => Offsets.Add(offset);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Walk<TAction>(ref TAction action)
        where TAction : struct, ILineAction
    {
        int end = Math.Min(fetched + share, Lines);
        while (fetched < end)
        {
            int steps = Math.Min(end - fetched, linesPerRun - line);
            int offset = runStart + line * CachePrefetch.LineFloats;
            for (int i = 0; i < steps; i++, offset += CachePrefetch.LineFloats)
                action.At(ref Unsafe.Add(ref start, offset), offset);
            fetched += steps;
            line += steps;
            if (line == linesPerRun)
            {
                line = 0;
                runStart += runStride;
            }
        }
    }
}

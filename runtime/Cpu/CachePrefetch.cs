using System;
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
    // Optimized from the first call, like PrefetchRuns.Fetch: these run before every register block of the linear
    // kernel, and while the JIT still ran them as unoptimized first-tier code (the first ten calls of a benchmark at
    // N=16384) the kernel took 34 ms instead of 26.5.
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
/// Rows to prefetch a few cache lines at a time: <see cref="SmallMatrix.MultiplyAdd{TWidth, TVector}"/> fetches a share
/// before each of its register blocks, so the misses overlap its FMAs. Fetched in one burst, more lines than the core
/// can have in flight stall it until they arrive. Holds up to three regions (a chunk's next keys, values and queries),
/// each a run of rows or several runs at a fixed stride (one per query head of a group).
/// </summary>
public ref struct PrefetchQueue
{
    private PrefetchRuns first, second, third;

    /// <summary>A queue of <paramref name="first"/>, then <paramref name="second"/>, then <paramref name="third"/>.</summary>
    public PrefetchQueue(PrefetchRuns first, PrefetchRuns second = default, PrefetchRuns third = default)
    {
        this.first = first;
        this.second = second;
        this.third = third;
    }

    /// <summary>Cache lines not fetched yet (rounded up per run).</summary>
    public readonly int Lines => first.Lines + second.Lines + third.Lines;

    /// <summary>Prefetches the next <paramref name="lines"/> cache lines.</summary>
    public void Fetch(int lines)
    {
        // A region is asked only for what the ones before it left: each ask is a call.
        lines = first.Fetch(lines);
        if (lines > 0)
            lines = second.Fetch(lines);
        if (lines > 0)
            third.Fetch(lines);
    }

    /// <summary>Prefetches every line not fetched yet.</summary>
    public void FetchAll() => Fetch(int.MaxValue);
}

/// <summary><c>runs</c> runs of <c>runLength</c> floats, <c>runStride</c> apart, from the start of a span.</summary>
public ref struct PrefetchRuns
{
    private readonly ReadOnlySpan<float> data;
    private readonly int runLength, runStride, runs;
    private int run, offset;

    /// <summary>One run: all of <paramref name="data"/>.</summary>
    public PrefetchRuns(ReadOnlySpan<float> data)
        : this(data, data.Length, 0, 1)
    {
    }

    /// <summary><paramref name="runs"/> runs of <paramref name="runLength"/> floats, <paramref name="runStride"/> apart.</summary>
    /// <exception cref="ArgumentException"><paramref name="data"/> does not hold the last run.</exception>
    public PrefetchRuns(ReadOnlySpan<float> data, int runLength, int runStride, int runs)
    {
        if (runs < 0 || runLength < 0 || (runs > 0 && (long)(runs - 1) * runStride + runLength > data.Length))
            throw new ArgumentException($"data ({data.Length} floats) must hold {runs} runs of {runLength} floats {runStride} apart.", nameof(data));
        this.data = data;
        this.runLength = runLength;
        this.runStride = runStride;
        this.runs = runLength == 0 ? 0 : runs;
    }

    /// <summary>Cache lines not fetched yet (whole lines per run).</summary>
    public readonly int Lines => run == runs ? 0
        : (runs - run - 1) * LinesOf(runLength) + LinesOf(runLength - offset);

    /// <summary>Prefetches up to <paramref name="lines"/> lines; returns how many of them are left for the next region.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // see CachePrefetch.Lines
    public int Fetch(int lines)
    {
        while (lines > 0 && run < runs)
        {
            int floats = (int)Math.Min((long)lines * CachePrefetch.LineFloats, runLength - offset);
            CachePrefetch.Lines(data.Slice(run * runStride + offset, floats));
            lines -= LinesOf(floats);
            offset += floats;
            if (offset == runLength)
            {
                run++;
                offset = 0;
            }
        }
        return lines;
    }

    private static int LinesOf(int floats) => (floats + CachePrefetch.LineFloats - 1) / CachePrefetch.LineFloats;
}

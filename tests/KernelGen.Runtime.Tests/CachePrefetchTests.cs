using System;
using Xunit;

namespace KernelGen.Runtime.Tests;

/// <summary>
/// The line accounting of <see cref="PrefetchRuns"/> and <see cref="PrefetchQueue"/>: a product hands out each line
/// once, in shares, and whatever is left after its last block. Prefetching itself has no observable effect.
/// </summary>
public sealed class CachePrefetchTests
{
    [Fact]
    public void Runs_count_whole_lines_per_run_and_hand_out_each_once()
    {
        float[] data = new float[100];
        // Three runs of 20 floats, 40 apart: 2 lines each (16 + 4 floats).
        var runs = new PrefetchRuns(data, runLength: 20, runStride: 40, runs: 3);
        Assert.Equal(6, runs.Lines);
        Assert.Equal(0, runs.Fetch(3)); // the first run and half the second
        Assert.Equal(3, runs.Lines);
        Assert.Equal(2, runs.Fetch(5)); // three lines were left; two of the five go back to the caller
        Assert.Equal(0, runs.Lines);
        Assert.Equal(7, runs.Fetch(7));
    }

    [Fact]
    public void A_queue_fetches_its_regions_in_order()
    {
        float[] data = new float[96];
        var queue = new PrefetchQueue(new PrefetchRuns(data.AsSpan(0, 32)), new PrefetchRuns(data.AsSpan(32, 17)), new PrefetchRuns(data.AsSpan(64, 32)));
        Assert.Equal(2 + 2 + 2, queue.Lines);
        queue.Fetch(3);
        Assert.Equal(3, queue.Lines); // the first region and one line of the second
        queue.Fetch(2);
        Assert.Equal(1, queue.Lines); // the second region's last line, then one of the third
        queue.FetchAll();
        Assert.Equal(0, queue.Lines);
        Assert.Equal(0, default(PrefetchQueue).Lines);
    }

    [Fact]
    public void Runs_reject_a_span_that_does_not_hold_the_last_run()
    {
        float[] data = new float[100];
        Assert.Equal("data", Assert.Throws<ArgumentException>(() => new PrefetchRuns(data, runLength: 20, runStride: 40, runs: 4)).ParamName);
        Assert.Equal("data", Assert.Throws<ArgumentException>(() => new PrefetchRuns(data, runLength: -1, runStride: 0, runs: 1)).ParamName);
    }
}

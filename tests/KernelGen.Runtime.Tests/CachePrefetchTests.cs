using System;
using System.Linq;
using Xunit;

namespace KernelGen.Runtime.Tests;

/// <summary>
/// Which lines <see cref="PrefetchRuns"/> hands out in parts: every line of every run once, in order, in equal parts,
/// and nothing outside the runs. Prefetching itself has no observable effect.
/// </summary>
public sealed class CachePrefetchTests
{
    [Fact]
    public void Parts_hand_out_each_line_of_each_run_once_in_order()
    {
        float[] data = new float[100];
        // Three runs of 20 floats, 40 apart: 2 lines each (16 + 4 floats).
        var runs = new PrefetchRuns(data, runLength: 20, runStride: 40, runs: 3);
        Assert.Equal(6, runs.Lines);
        runs.Split(4); // 6 lines in 4 parts: 2, 2, 2, then none
        Assert.Equal(new[] { 0, 16 }, Next(ref runs));
        Assert.Equal(new[] { 40, 56 }, Next(ref runs));
        Assert.Equal(4, runs.Fetched);
        Assert.Equal(new[] { 80, 96 }, Next(ref runs));
        Assert.Empty(Next(ref runs));
        Assert.Equal(6, runs.Fetched);
    }

    [Fact]
    public void A_part_crosses_runs_and_a_new_split_shares_out_what_is_left()
    {
        float[] data = new float[200];
        // Four runs of 40 floats (3 lines), 50 apart.
        var runs = new PrefetchRuns(data, runLength: 40, runStride: 50, runs: 4);
        runs.Split(3); // 12 lines: 4 a part
        Assert.Equal(new[] { 0, 16, 32, 50 }, Next(ref runs));
        runs.Split(1); // the 8 left, at once
        Assert.Equal(new[] { 66, 82, 100, 116, 132, 150, 166, 182 }, Next(ref runs));
        Assert.Empty(Next(ref runs));
    }

    [Fact]
    public void Nothing_is_handed_out_before_a_split_or_from_an_empty_region()
    {
        var runs = new PrefetchRuns(new float[64]);
        Assert.Empty(Next(ref runs));
        var empty = default(PrefetchRuns);
        empty.Split(3);
        Assert.Empty(Next(ref empty));
    }

    [Fact]
    public void Runs_reject_a_span_that_does_not_hold_the_last_run()
    {
        float[] data = new float[100];
        Assert.Equal("data", Assert.Throws<ArgumentException>(() => new PrefetchRuns(data, runLength: 20, runStride: 40, runs: 4)).ParamName);
        Assert.Equal("data", Assert.Throws<ArgumentException>(() => new PrefetchRuns(data, runLength: -1, runStride: 0, runs: 1)).ParamName);
    }

    private static int[] Next(ref PrefetchRuns runs) => runs.NextOffsets();
}

using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace KernelGen.Runtime.Tests;

/// <summary>
/// Tests that change the process-wide settings (<see cref="AttentionCpu.Path"/>,
/// <see cref="AttentionParallelism.MaxDegreeOfParallelism"/>) or measure the whole process's allocations: they run
/// alone, after the parallel tests.
/// </summary>
[CollectionDefinition(nameof(ProcessWideSettings), DisableParallelization = true)]
public sealed class ProcessWideSettings;

/// <summary>
/// Every instruction-set path of every generated kernel against the float64 reference; bitwise equality across
/// thread counts; and no managed allocation in steady-state calls.
/// </summary>
[Collection(nameof(ProcessWideSettings))]
public sealed class CpuPathAndThreadTests
{
    private static readonly Shape[] PathShapes =
    [
        new(2, 37, 37),
        new(1, 130, 130),                // past a 128-row tile and a 128-key tile
        new(2, 1, 77),                   // decode: keys read where they lie
        new(2, 9, 40),                   // just past the direct-key limit of 8 rows per group
        new(4, 20, 50, [50, 0, 13, 29]), // padding, an empty sequence, causal rows that see nothing
    ];

    /// <summary>Every path this machine can run, so a narrower machine tests what it has.</summary>
    public static IEnumerable<object[]> PathCases()
    {
        foreach (CpuPath path in Enum.GetValues<CpuPath>().Where(p => p <= AttentionCpu.Supported))
            foreach (string id in KernelCatalog.GeneratedIds)
                yield return [path, id];
    }

    [Theory]
    [MemberData(nameof(PathCases))]
    public void Each_cpu_path_matches_float64_reference(CpuPath path, string kernelId)
    {
        IAttentionKernel kernel = KernelCatalog.Get(kernelId);
        foreach (Shape shape in PathShapes.Where(s => !(kernel.Config.Causal && s.KeyLengths is null && s.QueryLength > s.KeyLength)))
        {
            var inputs = new TestInputs(kernel.Config, shape, seed: shape.QueryLength * 7 + shape.KeyLength);
            float[] output = WithPath(path, () => inputs.Run(kernel));
            Accuracy.AssertMatches($"{kernel.Name} on {shape}, {path} path", kernel.Config.Kind, output, inputs.Reference(), kernel.Config.HeadDim);
        }
    }

    [Theory]
    [MemberData(nameof(PathCases))]
    public void Each_cpu_path_writes_the_log_sum_exp(CpuPath path, string kernelId)
    {
        IAttentionKernel kernel = KernelCatalog.Get(kernelId);
        if (kernel.Config.Kind != AttentionKind.Softmax)
            return; // linear attention has no log-sum-exp (LogSumExpTests checks that it says so)
        foreach (Shape shape in PathShapes.Where(s => !(kernel.Config.Causal && s.KeyLengths is null && s.QueryLength > s.KeyLength)))
        {
            var inputs = new TestInputs(kernel.Config, shape, seed: shape.QueryLength * 5 + shape.KeyLength);
            float[] logSumExp = WithPath(path, () => inputs.RunWithLogSumExp(kernel).LogSumExp);
            Accuracy.AssertLogSumExp($"{kernel.Name} on {shape}, {path} path", logSumExp, inputs.Reference());
        }
    }

    [Fact]
    public void Path_cannot_be_widened_past_the_hardware()
    {
        if (AttentionCpu.Supported == CpuPath.Vector512)
            return; // nothing is wider than 512 bits: the setter's range check is covered by the enum test below
        Assert.Throws<ArgumentOutOfRangeException>(() => AttentionCpu.Path = CpuPath.Vector512);
    }

    [Fact]
    public void Path_rejects_values_that_are_not_paths()
        => Assert.Throws<ArgumentOutOfRangeException>(() => AttentionCpu.Path = (CpuPath)7);

    [Fact]
    public void Parallelism_rejects_less_than_one_thread()
        => Assert.Throws<ArgumentOutOfRangeException>(() => AttentionParallelism.MaxDegreeOfParallelism = 0);

    /// <summary>
    /// Pieces of a call write disjoint outputs and never depend on each other, so 1, 2 and 3 threads give the same
    /// bits; shapes with several query tiles and groups, so that pieces really run on different threads.
    /// </summary>
    [Theory]
    [MemberData(nameof(KernelAccuracyTests.KernelIds), MemberType = typeof(KernelAccuracyTests))]
    public void Thread_count_does_not_change_a_bit(string kernelId)
    {
        IAttentionKernel kernel = KernelCatalog.Get(kernelId);
        var inputs = new TestInputs(kernel.Config, new Shape(3, 150, 150), seed: 5);
        float[] one = WithThreads(1, () => inputs.Run(kernel));
        foreach (int threads in new[] { 2, 3 })
        {
            float[] many = WithThreads(threads, () => inputs.Run(kernel));
            Assert.True(one.AsSpan().SequenceEqual(many), $"{kernel.Name}: {threads} threads differ from 1 thread");
        }
    }

    /// <summary>
    /// Steady-state calls allocate nothing on the managed heap, on any thread: scratch comes from the array pool and
    /// worker threads live on. Measured over the whole process (workers included), one call per window, after
    /// warm-up; the test host's own threads may allocate during a window (more often on a loaded machine, where a
    /// call takes longer), so the quietest of 20 windows must show 0 bytes — a kernel that allocated per call would
    /// show it in every window.
    /// </summary>
    [Theory]
    [InlineData("KernelGen.Runtime.Tests.Kernels.Softmax64Causal", 1, 256, 256)]
    [InlineData("KernelGen.Runtime.Tests.Kernels.Softmax64Causal", 2, 256, 256)]
    [InlineData("KernelGen.Runtime.Tests.Kernels.Softmax64GqaCausalTile32x8", 2, 1, 300)]
    [InlineData("KernelGen.Runtime.Tests.Kernels.Linear40GqaCausal", 2, 200, 200)]
    public void Steady_state_calls_allocate_nothing(string kernelId, int threads, int queryLength, int keyLength)
    {
        IAttentionKernel kernel = KernelCatalog.Get(kernelId);
        var inputs = new TestInputs(kernel.Config, new Shape(1, queryLength, keyLength), seed: 3);
        float[] output = inputs.NewOutput();
        WithThreads(threads, () =>
        {
            for (int warmUp = 0; warmUp < 10; warmUp++)
                kernel.Forward(inputs.Q, inputs.K, inputs.V, output, 1, queryLength, keyLength);
            long quietest = long.MaxValue;
            for (int window = 0; window < 20; window++)
            {
                long before = GC.GetTotalAllocatedBytes(precise: true);
                kernel.Forward(inputs.Q, inputs.K, inputs.V, output, 1, queryLength, keyLength);
                quietest = Math.Min(quietest, GC.GetTotalAllocatedBytes(precise: true) - before);
            }
            Assert.True(quietest == 0, $"{kernel.Name} with {threads} thread(s) allocated {quietest} bytes in its quietest call of 20");
            return output;
        });
    }

    internal static float[] WithPath(CpuPath path, Func<float[]> run)
        => With(() => AttentionCpu.Path, value => AttentionCpu.Path = value, path, run);

    internal static float[] WithThreads(int threads, Func<float[]> run)
        => With(() => AttentionParallelism.MaxDegreeOfParallelism, value => AttentionParallelism.MaxDegreeOfParallelism = value, threads, run);

    /// <summary>Runs <paramref name="run"/> with a process-wide setting changed, and restores it whatever happens.</summary>
    private static float[] With<T>(Func<T> get, Action<T> set, T value, Func<float[]> run)
    {
        T saved = get();
        set(value);
        try
        {
            return run();
        }
        finally
        {
            set(saved);
        }
    }
}

using System;
using System.Threading;

namespace KernelGen;

/// <summary>
/// How many threads a kernel call may use. Kernels split work into independent pieces — (batch, key/value head,
/// query tile) — whose results do not depend on which thread computes them, so the output is bitwise identical
/// for every setting.
/// </summary>
public static class AttentionParallelism
{
    private static int _maxDegree = Environment.ProcessorCount;

    /// <summary>Threads one kernel call may use, from 1 up; defaults to every core (<see cref="Environment.ProcessorCount"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public static int MaxDegreeOfParallelism
    {
        get => Volatile.Read(ref _maxDegree);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            Volatile.Write(ref _maxDegree, value);
        }
    }
}

using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Threading;
using BenchmarkDotNet.Attributes;

namespace KernelGen.Benchmarks;

/// <summary>
/// The machine's fp32 FMA peak, measured: a fixed number of iterations of independent vector fused multiply-adds on
/// accumulators held in registers (20 of Vector512, or 12 of Vector256 where Vector512 is not accelerated), on
/// <see cref="Threads"/> threads at once. FLOPs per call = threads · iterations · accumulators · lanes · 2.
/// </summary>
public class FmaPeak
{
    public const long Iterations = 4_000_000;

    public static IEnumerable<int> ThreadCounts => Suite.Current.PeakThreads;

    [ParamsSource(nameof(ThreadCounts))]
    public int Threads { get; set; }

    public static bool Uses512 => Vector512.IsHardwareAccelerated;
    public static int Accumulators => Uses512 ? 20 : 12;
    public static int Lanes => Uses512 ? Vector512<float>.Count : Vector256<float>.Count;
    public static string Description => Uses512 ? "Vector512 FMA, 20 accumulators" : "Vector256 FMA, 12 accumulators (Vector512 not accelerated)";

    public double FlopsPerCall => FlopsFor(Threads);
    public static double FlopsFor(int threads) => 2.0 * threads * Iterations * Accumulators * Lanes;

    private static float _sink;

    // Threads − 1 workers, started once and spinning between calls, so that a call times the FMA loops and not a
    // thread's start or wake-up (slow on this kind of VM: tens of milliseconds).
    private Thread[] _workers = [];
    private float[] _results = [];
    private int _generation, _remaining;
    private volatile bool _stop;

    [GlobalSetup]
    public void StartWorkers()
    {
        _results = new float[Threads];
        _workers = new Thread[Threads - 1];
        for (int t = 0; t < _workers.Length; t++)
        {
            int index = t + 1;
            _workers[t] = new Thread(() =>
            {
                int seen = 0;
                while (true)
                {
                    while (Volatile.Read(ref _generation) == seen && !_stop)
                        Thread.SpinWait(20);
                    if (_stop)
                        return;
                    seen = Volatile.Read(ref _generation);
                    _results[index] = Loop();
                    Interlocked.Decrement(ref _remaining);
                }
            }) { IsBackground = true, Name = $"fma-{index}" };
            _workers[t].Start();
        }
    }

    [GlobalCleanup]
    public void StopWorkers()
    {
        _stop = true;
        foreach (var worker in _workers)
            worker.Join();
    }

    [Benchmark]
    public float Peak()
    {
        Volatile.Write(ref _remaining, Threads - 1);
        Interlocked.Increment(ref _generation);
        _results[0] = Loop();
        while (Volatile.Read(ref _remaining) > 0)
            Thread.SpinWait(20);
        float sum = 0;
        foreach (float r in _results)
            sum += r;
        return sum;
    }

    /// <summary>Either loop, its result consumed so that nothing is optimized away.</summary>
    public static float Loop()
    {
        float result = Uses512 ? Loop512(0.9999999f, 1e-7f) : Loop256(0.9999999f, 1e-7f);
        _sink += result;
        return result;
    }

    // acc = acc · m + c converges to c / (1 − m): no overflow, no denormals, whatever the iteration count.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Loop512(float multiplier, float addend)
    {
        Vector512<float> m = Vector512.Create(multiplier), c = Vector512.Create(addend);
        Vector512<float> a0 = Vector512.Create(0.00f), a1 = Vector512.Create(0.01f), a2 = Vector512.Create(0.02f), a3 = Vector512.Create(0.03f);
        Vector512<float> a4 = Vector512.Create(0.04f), a5 = Vector512.Create(0.05f), a6 = Vector512.Create(0.06f), a7 = Vector512.Create(0.07f);
        Vector512<float> a8 = Vector512.Create(0.08f), a9 = Vector512.Create(0.09f), a10 = Vector512.Create(0.10f), a11 = Vector512.Create(0.11f);
        Vector512<float> a12 = Vector512.Create(0.12f), a13 = Vector512.Create(0.13f), a14 = Vector512.Create(0.14f), a15 = Vector512.Create(0.15f);
        Vector512<float> a16 = Vector512.Create(0.16f), a17 = Vector512.Create(0.17f), a18 = Vector512.Create(0.18f), a19 = Vector512.Create(0.19f);
        for (long i = 0; i < Iterations; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(a0, m, c); a1 = Vector512.FusedMultiplyAdd(a1, m, c);
            a2 = Vector512.FusedMultiplyAdd(a2, m, c); a3 = Vector512.FusedMultiplyAdd(a3, m, c);
            a4 = Vector512.FusedMultiplyAdd(a4, m, c); a5 = Vector512.FusedMultiplyAdd(a5, m, c);
            a6 = Vector512.FusedMultiplyAdd(a6, m, c); a7 = Vector512.FusedMultiplyAdd(a7, m, c);
            a8 = Vector512.FusedMultiplyAdd(a8, m, c); a9 = Vector512.FusedMultiplyAdd(a9, m, c);
            a10 = Vector512.FusedMultiplyAdd(a10, m, c); a11 = Vector512.FusedMultiplyAdd(a11, m, c);
            a12 = Vector512.FusedMultiplyAdd(a12, m, c); a13 = Vector512.FusedMultiplyAdd(a13, m, c);
            a14 = Vector512.FusedMultiplyAdd(a14, m, c); a15 = Vector512.FusedMultiplyAdd(a15, m, c);
            a16 = Vector512.FusedMultiplyAdd(a16, m, c); a17 = Vector512.FusedMultiplyAdd(a17, m, c);
            a18 = Vector512.FusedMultiplyAdd(a18, m, c); a19 = Vector512.FusedMultiplyAdd(a19, m, c);
        }
        Vector512<float> sum = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11))
            + ((a12 + a13) + (a14 + a15)) + ((a16 + a17) + (a18 + a19));
        return Vector512.Sum(sum);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Loop256(float multiplier, float addend)
    {
        Vector256<float> m = Vector256.Create(multiplier), c = Vector256.Create(addend);
        Vector256<float> a0 = Vector256.Create(0.00f), a1 = Vector256.Create(0.01f), a2 = Vector256.Create(0.02f), a3 = Vector256.Create(0.03f);
        Vector256<float> a4 = Vector256.Create(0.04f), a5 = Vector256.Create(0.05f), a6 = Vector256.Create(0.06f), a7 = Vector256.Create(0.07f);
        Vector256<float> a8 = Vector256.Create(0.08f), a9 = Vector256.Create(0.09f), a10 = Vector256.Create(0.10f), a11 = Vector256.Create(0.11f);
        for (long i = 0; i < Iterations; i++)
        {
            a0 = Vector256.FusedMultiplyAdd(a0, m, c); a1 = Vector256.FusedMultiplyAdd(a1, m, c);
            a2 = Vector256.FusedMultiplyAdd(a2, m, c); a3 = Vector256.FusedMultiplyAdd(a3, m, c);
            a4 = Vector256.FusedMultiplyAdd(a4, m, c); a5 = Vector256.FusedMultiplyAdd(a5, m, c);
            a6 = Vector256.FusedMultiplyAdd(a6, m, c); a7 = Vector256.FusedMultiplyAdd(a7, m, c);
            a8 = Vector256.FusedMultiplyAdd(a8, m, c); a9 = Vector256.FusedMultiplyAdd(a9, m, c);
            a10 = Vector256.FusedMultiplyAdd(a10, m, c); a11 = Vector256.FusedMultiplyAdd(a11, m, c);
        }
        Vector256<float> sum = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11));
        return Vector256.Sum(sum);
    }
}

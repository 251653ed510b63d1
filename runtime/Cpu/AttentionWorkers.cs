using System;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace KernelGen;

/// <summary>
/// One independent piece of a kernel call: generated kernels implement it once per phase and CPU path. Pieces of a
/// call never write to the same output elements, so the result does not depend on which thread runs which piece.
/// </summary>
public interface IAttentionWork
{
    /// <summary>Computes piece <paramref name="item"/> of the call described by <paramref name="buffers"/>.</summary>
    static abstract void Execute(in AttentionBuffers buffers, int item);
}

/// <summary>
/// Runs the pieces of a kernel call on up to <see cref="AttentionParallelism.MaxDegreeOfParallelism"/> threads: the
/// caller and long-lived worker threads, so a call allocates nothing once the workers exist. A call that finds the
/// workers busy with another call runs its pieces on its own thread. Attention kernels and
/// <see cref="MatrixMultiply"/> share these workers.
/// </summary>
public static unsafe class AttentionWorkers
{
    private static readonly object Gate = new();
    private static readonly SemaphoreSlim Start = new(0);
    private static readonly ManualResetEventSlim Done = new(false);
    private static int _workerCount;

    // The job in flight; written under Gate before the workers are released.
    private static delegate*<void*, int, void> _execute;
    private static void* _state;
    private static int _items, _next, _pendingWorkers;
    private static ExceptionDispatchInfo? _failure;

    /// <summary>
    /// Pins the spans and runs pieces 0 … <paramref name="items"/> − 1 of <typeparamref name="TWork"/>;
    /// <paramref name="logSumExp"/> is empty unless the caller asked for each row's log-sum-exp.
    /// </summary>
    public static void Run<TWork>(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, Span<float> output,
        Span<float> workspace, ReadOnlySpan<int> keyLengths, int batch, int queryLength, int keyLength, int items,
        Span<float> logSumExp = default)
        where TWork : struct, IAttentionWork
    {
        fixed (float* pq = q, pk = k, pv = v, po = output, pw = workspace, pe = logSumExp)
        fixed (int* pl = keyLengths)
        {
            var buffers = new AttentionBuffers(pq, q.Length, pk, k.Length, pv, v.Length, po, output.Length,
                pw, workspace.Length, pl, keyLengths.Length, pe, logSumExp.Length, batch, queryLength, keyLength);
            Run(&Execute<TWork>, &buffers, items);
        }
    }

    private static void Execute<TWork>(void* buffers, int item) where TWork : struct, IAttentionWork
        => TWork.Execute(in *(AttentionBuffers*)buffers, item);

    /// <summary>
    /// Runs <paramref name="execute"/>(<paramref name="state"/>, item) for items 0 … <paramref name="items"/> − 1,
    /// which must write disjoint outputs; <paramref name="state"/> stays valid (pinned) until this returns.
    /// </summary>
    internal static void Run(delegate*<void*, int, void> execute, void* state, int items)
    {
        int threads = Math.Min(AttentionParallelism.MaxDegreeOfParallelism, items);
        if (threads <= 1 || !TryRunShared(execute, state, items, threads))
        {
            for (int item = 0; item < items; item++)
                execute(state, item);
        }
    }

    private static bool TryRunShared(delegate*<void*, int, void> execute, void* state, int items, int threads)
    {
        // A piece that itself calls Run (on the caller's thread, which holds the re-entrant Gate) must not take over
        // the workers mid-job: it runs its own pieces inline, like any call that finds the workers busy.
        if (Monitor.IsEntered(Gate) || !Monitor.TryEnter(Gate))
            return false;
        try
        {
            while (_workerCount < threads - 1)
            {
                new Thread(WorkerLoop) { IsBackground = true, Name = $"KernelGen worker {_workerCount}" }.Start();
                _workerCount++;
            }
            _execute = execute;
            _state = state;
            _items = items;
            _next = 0;
            _failure = null;
            _pendingWorkers = threads - 1;
            Done.Reset();
            Start.Release(threads - 1);
            RunPieces();
            Done.Wait();
            _failure?.Throw();
            return true;
        }
        finally
        {
            _state = null;
            Monitor.Exit(Gate);
        }
    }

    private static void WorkerLoop()
    {
        while (true)
        {
            Start.Wait();
            RunPieces();
            if (Interlocked.Decrement(ref _pendingWorkers) == 0)
                Done.Set();
        }
    }

    /// <summary>Takes pieces until none is left; the order differs run to run, the pieces' results do not.</summary>
    private static void RunPieces()
    {
        try
        {
            int item;
            while ((item = Interlocked.Increment(ref _next) - 1) < _items)
                _execute(_state, item);
        }
        catch (Exception exception)
        {
            Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(exception), null);
            Volatile.Write(ref _next, _items);
        }
    }
}

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using KernelGen;
using Microsoft.ML.OnnxRuntime;

namespace KernelGen.Benchmarks;

/// <summary>What one untimed trial of an ONNX Runtime op found: its check, its time, or why it was not run.</summary>
public sealed record OrtTrial(OrtCandidate Candidate, int Threads, double Seconds, double MaxError, string? Problem)
{
    public bool Usable => Problem is null;
}

/// <summary>A case's input, its reference, and what the checks and trial runs found.</summary>
public sealed class CaseState
{
    public required BenchCase Case { get; init; }
    public required float[] Q { get; init; }
    public required float[] K { get; init; }
    public required float[] V { get; init; }
    public required ReferenceCheck Reference { get; init; }

    /// <summary>First-call time (s, 1 thread, includes JIT) and max error of KernelGen and generic.</summary>
    public Dictionary<Method, (double Seconds, double MaxError)> FirstCall { get; } = new();
    public List<OrtTrial> OrtTrials { get; } = new();
    public Dictionary<int, OrtTrial> OrtChoice { get; } = new();
    /// <summary>Max error of the output each timed configuration left behind.</summary>
    public Dictionary<(Method Method, int Threads), double> PostChecks { get; } = new();
    public string? GeneratedKernelProblem { get; set; }

    public void PostCheck(Method method, int threads, float[] output)
    {
        double error = Reference.MaxError(output);
        PostChecks[(method, threads)] = error;
        Console.WriteLine($"// post-run check {Case.Name} / {method} / {threads} thread(s): max |err| {Format.Error(error)} " +
            (ReferenceCheck.Passes(error) ? "ok" : "FAILED"));
    }

    /// <summary>Seconds of one call of <paramref name="method"/> at <paramref name="threads"/>, as the trials saw it.</summary>
    public double EstimatedSeconds(Method method, int threads) => method switch
    {
        Method.OnnxRuntime => OrtChoice[threads].Seconds,
        _ => FirstCall[method].Seconds,
    };
}

/// <summary>The run's mode, cases and their state; static so that BenchmarkDotNet's in-process runs can reach it.</summary>
public sealed class Suite
{
    public static Suite Current { get; set; } = null!;

    public required bool Quick { get; init; }
    public required List<CaseState> Cases { get; init; }
    public int[] PeakThreads { get; init; } = [1, 2];
    public IReadOnlyList<MatMulCase> MatMuls { get; init; } = [];

    /// <summary>Relative error of the output each timed matrix product left (see <see cref="MatMulCase.RelativeError"/>).</summary>
    public Dictionary<(string Case, Method Method, int Threads), double> MatMulChecks { get; } = new();

    public void MatMulCheck(MatMulCase c, Method method, int threads, double relativeError)
    {
        MatMulChecks[(c.Name, method, threads)] = relativeError;
        Console.WriteLine($"// post-run check {c.Name} / {method} / {threads} thread(s): relative error {relativeError:E1} " +
            (relativeError <= c.Tolerance ? "ok" : "FAILED"));
    }

    public CaseState Get(string name) => Cases.Single(c => c.Case.Name == name);

    /// <summary>
    /// Prepares one case before any timing: builds its input, computes the reference, checks KernelGen and the
    /// generic kernel (on the reference's row blocks, and on the whole input when a call is cheap), and tries each
    /// candidate ONNX Runtime op (check, then a few timed runs) to pick the fastest correct one per thread count.
    /// </summary>
    public static CaseState Prepare(BenchCase c, bool quick, int seed)
    {
        Console.WriteLine();
        Console.WriteLine($"== {c.Name}: {c.Describe()}, {Format.Gflop(c.Flops)} GFLOP per call ({c.FlopsFormula})");
        var random = new Random(seed);
        float[] Fill(int heads, int rows)
        {
            var data = new float[BenchCase.Batch * heads * rows * c.HeadDim];
            for (int i = 0; i < data.Length; i++)
                data[i] = (float)(random.NextDouble() * 2 - 1);
            return data;
        }
        float[] q = Fill(c.Heads, c.QueryLength), k = Fill(c.KvHeads, c.KeyLength), v = Fill(c.KvHeads, c.KeyLength);

        var clock = Stopwatch.StartNew();
        // Every row when the float64 reference is cheap (≤ 1024² pairs, full mode); otherwise blocks of rows.
        bool everyRow = !quick && (long)c.QueryLength * c.KeyLength <= 1024L * 1024;
        int blockRows = everyRow ? c.QueryLength : quick ? 16 : 32;
        var reference = new ReferenceCheck(c, q, k, v, blockRows);
        Console.WriteLine($"   float64 reference on {reference.CheckedRows} of {c.QueryLength} query rows × {c.Heads} heads " +
            $"({clock.Elapsed.TotalSeconds:F1} s); tolerance max |err| ≤ {ReferenceCheck.Tolerance:0e0}");

        var state = new CaseState { Case = c, Q = q, K = k, V = v, Reference = reference };
        state.GeneratedKernelProblem = CheckDescriptor(c);
        if (state.GeneratedKernelProblem is not null)
            Console.WriteLine($"   WARNING: {state.GeneratedKernelProblem}");

        AttentionParallelism.MaxDegreeOfParallelism = 1;
        var generic = new GenericAttentionKernel(c.Config);
        foreach (Method method in new[] { Method.KernelGen, Method.Generic })
        {
            ForwardFn forward = method == Method.KernelGen ? c.Generated : generic.Forward;
            double error, seconds;
            string timing;
            try
            {
                WarmUp(c, forward);
                // Checked on the reference's row blocks first (cheap); a whole call follows only when it is cheap
                // too, else its time is estimated from the blocks' and the timed calls' output is checked instead.
                (error, seconds) = reference.CheckOnBlocks(forward);
                if (reference.EveryRow)
                {
                    timing = $"whole call {Format.Seconds(seconds)}";
                }
                else if (seconds / reference.WorkFraction() <= 1.0)
                {
                    var output = new float[q.Length];
                    clock.Restart();
                    forward(q, k, v, output, BenchCase.Batch, c.QueryLength, c.KeyLength);
                    seconds = clock.Elapsed.TotalSeconds;
                    double wholeError = reference.MaxError(output);
                    error = double.IsNaN(wholeError) ? double.NaN : Math.Max(error, wholeError);
                    timing = $"then the whole input too; whole call {Format.Seconds(seconds)}";
                }
                else
                {
                    seconds /= reference.WorkFraction();
                    timing = $"whole call ~{Format.Seconds(seconds)} estimated from the blocks; checked again after timing";
                }
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or IndexOutOfRangeException)
            {
                (error, seconds) = (double.NaN, 1.0);
                timing = $"threw {e.GetType().Name}: {e.Message}";
            }
            state.FirstCall[method] = (seconds, error);
            Console.WriteLine($"   check {method,-34} max |err| {Format.Error(error)} {(ReferenceCheck.Passes(error) ? "ok" : "FAILED")}  ({timing}, 1 thread)");
        }

        if (c.OrtCandidates.Count == 0)
            Console.WriteLine($"   ONNX Runtime: no peer ({c.NoOrtReason})");
        foreach (OrtCandidate candidate in c.OrtCandidates)
            TryOrt(state, candidate);
        foreach (int threads in c.Threads)
        {
            OrtTrial? best = state.OrtTrials.Where(t => t.Threads == threads && t.Usable).MinBy(t => t.Seconds);
            if (best is not null)
            {
                state.OrtChoice[threads] = best;
                Console.WriteLine($"   ONNX Runtime peer at {threads} thread(s): {best.Candidate.Label} (fastest correct op, {Format.Seconds(best.Seconds)})");
            }
            else if (c.OrtCandidates.Count > 0)
            {
                Console.WriteLine($"   ONNX Runtime peer at {threads} thread(s): none (no candidate op ran and passed the check)");
            }
        }
        return state;
    }

    /// <summary>
    /// Brings the kernel's code to the JIT's optimized tier before anything is timed (best effort): two rounds of 35
    /// calls on a 32-key input, a pause between them because call counting starts after the tiering delay.
    /// </summary>
    private static void WarmUp(BenchCase c, ForwardFn forward)
    {
        int ql = Math.Min(c.QueryLength, 32), kl = 32;
        var q = new float[BenchCase.Batch * c.Heads * ql * c.HeadDim];
        var kv = new float[BenchCase.Batch * c.KvHeads * kl * c.HeadDim];
        var output = new float[q.Length];
        q.AsSpan().Fill(0.25f);
        kv.AsSpan().Fill(0.5f);
        for (int round = 0; round < 2; round++)
        {
            for (int i = 0; i < 35; i++)
                forward(q, kv, kv, output, BenchCase.Batch, ql, kl);
            System.Threading.Thread.Sleep(150);
        }
    }

    private static void TryOrt(CaseState state, OrtCandidate candidate)
    {
        BenchCase c = state.Case;
        string? problem = candidate.Unsupported(c) ?? MemoryProblem(c, candidate);
        if (problem is not null)
        {
            foreach (int threads in c.Threads)
                state.OrtTrials.Add(new OrtTrial(candidate, threads, double.NaN, double.NaN, problem));
            Console.WriteLine($"   ORT {candidate.Label,-34} skipped: {problem}");
            return;
        }
        double checkedError = double.NaN;
        foreach (int threads in c.Threads)
        {
            OrtPeer? peer = null;
            try
            {
                peer = new OrtPeer(c, candidate, threads, state.Q, state.K, state.V);
                var clock = Stopwatch.StartNew();
                peer.Run();
                double first = clock.Elapsed.TotalSeconds;
                if (double.IsNaN(checkedError))
                {
                    checkedError = state.Reference.MaxError(peer.OutputBhsd());
                    bool ok = ReferenceCheck.Passes(checkedError);
                    Console.WriteLine($"   check ORT {candidate.Label,-30} max |err| {Format.Error(checkedError)} {(ok ? "ok" : "FAILED: computes something else, not compared")}");
                    if (!ok)
                    {
                        foreach (int t in c.Threads)
                            state.OrtTrials.Add(new OrtTrial(candidate, t, double.NaN, checkedError, "fails the reference check"));
                        return;
                    }
                }
                int runs = first < 0.05 ? 10 : first < 0.5 ? 3 : 1;
                double best = double.PositiveInfinity;
                for (int r = 0; r < runs; r++)
                {
                    clock.Restart();
                    peer.Run();
                    best = Math.Min(best, clock.Elapsed.TotalSeconds);
                }
                state.OrtTrials.Add(new OrtTrial(candidate, threads, best, checkedError, null));
                Console.WriteLine($"   trial ORT {candidate.Label,-30} {threads} thread(s): {Format.Seconds(best)} (best of {runs})");
            }
            catch (Exception e) when (e is OnnxRuntimeException or InvalidOperationException or ArgumentException)
            {
                string message = e.Message.ReplaceLineEndings(" ");
                if (message.Length > 200)
                    message = message[..200] + "…";
                state.OrtTrials.Add(new OrtTrial(candidate, threads, double.NaN, double.NaN, $"failed: {message}"));
                Console.WriteLine($"   ORT {candidate.Label,-34} {threads} thread(s) failed: {message}");
            }
            finally
            {
                peer?.Dispose();
                GC.Collect();
            }
        }
    }

    /// <summary>
    /// These ops materialize B·H·Nq·Nkv float scores (plus an Nq×Nkv mask for the window); skip one that would take
    /// more than 60% of the memory available now.
    /// </summary>
    private static string? MemoryProblem(BenchCase c, OrtCandidate candidate)
    {
        double scores = 4.0 * BenchCase.Batch * c.Heads * c.QueryLength * c.KeyLength;
        double mask = c.Config.Window == 0 || candidate.Op == OrtOp.GroupQueryAttention ? 0
            : (candidate.Op == OrtOp.Attention23 ? 1.0 : 4.0) * c.QueryLength * c.KeyLength;
        double need = scores + mask;
        double available = AvailableMemoryBytes();
        return need > 0.6 * available
            ? $"needs ~{need / (1 << 30):F1} GiB of scores/mask, {available / (1 << 30):F1} GiB available"
            : null;
    }

    private static double AvailableMemoryBytes()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/meminfo"))
            {
                if (line.StartsWith("MemAvailable:", StringComparison.Ordinal))
                    return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
            }
        }
        catch (IOException)
        {
        }
        return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
    }

    /// <summary>The generated descriptor of the case's class must serve the configuration the suite assumes.</summary>
    private static string? CheckDescriptor(BenchCase c)
    {
        IAttentionKernel? kernel = AttentionKernels.GeneratedIn(Assembly.GetExecutingAssembly())
            .FirstOrDefault(k => k.Name.EndsWith("." + c.GeneratedClass, StringComparison.Ordinal));
        if (kernel is null)
            return $"no generated kernel named *.{c.GeneratedClass} found";
        return kernel.Config.Serves(c.Config) ? null : $"{c.GeneratedClass} computes {kernel.Config}, not {c.Config}";
    }
}

public static class Format
{
    public static string Error(double e) => double.IsNaN(e) ? "NaN" : e.ToString("0.0e+0");
    public static string Gflop(double flops) => (flops / 1e9).ToString(flops < 1e8 ? "0.000" : "0.00");
    public static string Seconds(double s) => s >= 1 ? $"{s:F2} s" : s >= 1e-3 ? $"{s * 1e3:F2} ms" : $"{s * 1e6:F1} µs";
}

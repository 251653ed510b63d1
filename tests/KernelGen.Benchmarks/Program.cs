using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using KernelGen.Benchmarks;
using Perfolizer.Horology;

// KernelGen's benchmark suite: for each case, the generated kernel, the generic kernel and ONNX Runtime, checked
// against the float64 reference before timing, then timed by BenchmarkDotNet in this process, next to a measured
// FMA peak. Ends with a markdown table (also written to BenchmarkDotNet.Artifacts/kernelgen-results.md) and exits
// non-zero when a result is missing (NA) or a kernel fails its check.

const string Usage = """
    usage: dotnet run -c Release --project tests/KernelGen.Benchmarks -- [--quick] [--filter TEXT] | --algorithms | --help

      (no option)  the full suite: fp32, B=1, H=8; prefill N ∈ {1024, 4096} × D ∈ {64, 128} × {full, causal};
                   GQA 8/2 N=4096 D=128 causal; sliding window N=16384 W=512 D=64 causal; decode 1 vs 4096 keys
                   (8 heads and GQA 8/2, D=128); linear causal N=16384 D=64; each at 1 and 2 threads.
      --quick      a smoke run in under 3 minutes: N=4096 D=128 full at 1 thread, every other kind at 1 thread
                   (window at N=2048, linear at N=4096, GQA at N=1024), decode also at 2 threads, and the FMA peak.
      --filter T   only the cases whose name contains T (case-insensitive), e.g. "MiniLM" or "linear"; the FMA
                   peak always runs.
      --algorithms materialized against flash (D=64, 8 heads, causal, 1 thread) from decoding to N=1024: the
                   measurement behind Algorithm = Auto's rule. Prints BenchmarkDotNet's table with the ratio column.
      --help       this text.

    Each case runs three ways in one process: the kernel generated from its [Attention] class, the runtime's
    GenericAttentionKernel, and ONNX Runtime 1.31.1 (a one-node model; the fastest of the candidate ops that passes
    the check, picked per thread count from untimed trial runs). Before timing, each is compared with KernelGen's
    float64 ReferenceAttention (max |err| <= 1e-4): every row of short inputs, else three blocks of rows (a kernel
    too slow for an untimed whole call runs on just those blocks; the timed calls' output is checked again after
    timing). An ORT op that computes something else is reported and not compared.
    Threads: AttentionParallelism.MaxDegreeOfParallelism for KernelGen, IntraOpNumThreads for ORT.
    GFLOP/s use BenchmarkDotNet's median time; % of FMA peak is against the FMA peak measured in the same run at
    the same thread count (from its min time: a peak is the best the machine did).
    Matrix products (MiniLM projections, m = 4096 rows; 1 and 2 threads, 1 in quick mode): MatrixMultiply.Multiply
    against ONNX Runtime's Gemm (B and bias as initializers), 2·m·k·n FLOPs, each output checked on three rows
    against float64 (relative to |bias| + Σ|A·B|, bound (k + 1)·2⁻²⁴). Exit code 1 when a result is NA or a check fails; 2 for a bad argument.
    """;

bool quick = false;
string filter = "";
for (int a = 0; a < args.Length; a++)
{
    switch (args[a])
    {
        case "--quick":
            quick = true;
            break;
        case "--algorithms":
            BenchmarkRunner.Run<AlgorithmChoiceBenchmarks>(ManualConfig.Create(DefaultConfig.Instance)
                .AddJob(Job.ShortRun.WithToolchain(new InProcessEmitToolchain(TimeSpan.FromMinutes(10), logOutput: false)))
                .AddColumn(StatisticColumn.Min, StatisticColumn.Median)
                .WithOptions(ConfigOptions.DisableLogFile));
            return 0;
        case "--filter" when a + 1 < args.Length:
            filter = args[++a];
            break;
        case "--help" or "-h":
            Console.WriteLine(Usage);
            return 0;
        default:
            Console.Error.WriteLine($"unknown argument '{args[a]}'; try --help");
            return 2;
    }
}

var wall = Stopwatch.StartNew();
Console.WriteLine($"KernelGen benchmarks ({(quick ? "quick" : "full")} mode): {Environment.ProcessorCount} cores, " +
    $"Vector512 {(System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? "accelerated" : "not accelerated")}, FMA peak loop: {FmaPeak.Description}");

bool Selected(string name) => name.Contains(filter, StringComparison.OrdinalIgnoreCase);
IReadOnlyList<BenchCase> cases = (quick ? Cases.Quick() : Cases.Full()).Where(c => Selected(c.Name)).ToList();
var states = new List<CaseState>();
for (int i = 0; i < cases.Count; i++)
    states.Add(Suite.Prepare(cases[i], quick, seed: 20261128 + i));
var matMuls = MatMulCase.MiniLm().Where(c => Selected(c.Name)).Select(c => quick ? c.WithThreads([1]) : c).ToList();
for (int i = 0; i < matMuls.Count; i++)
    matMuls[i].Prepare(seed: 20261200 + i);
var suite = new Suite { Quick = quick, Cases = states, MatMuls = matMuls };
Suite.Current = suite;
Console.WriteLine();
Console.WriteLine($"checks and trials done in {wall.Elapsed.TotalSeconds:F0} s; timing with BenchmarkDotNet (in-process)");

ManualConfig config = ManualConfig.Create(DefaultConfig.Instance)
    .AddColumn(StatisticColumn.Min, StatisticColumn.Median)
    .WithOptions(ConfigOptions.DisableLogFile)
    .WithSummaryStyle(SummaryStyle.Default.WithMaxParameterColumnWidth(48));
var inProcess = new InProcessEmitToolchain(TimeSpan.FromMinutes(30), logOutput: true);

// The FMA peak: a fast call (a few ms), so BenchmarkDotNet picks the invocation count per iteration.
Job peakJob = Job.Default.WithToolchain(inProcess).WithId("peak")
    .WithWarmupCount(3).WithIterationCount(quick ? 5 : 10).WithIterationTime(TimeInterval.FromMilliseconds(250));
BenchmarkRunInfo peakInfo = BenchmarkConverter.TypeToBenchmarks(typeof(FmaPeak), ManualConfig.Create(config).AddJob(peakJob));

// Attention: a job per (case, method, threads) sized from the untimed first call or ORT trial, so that even
// today's slow scalar kernels (tens of seconds per call) keep the full suite near 20 minutes.
BenchmarkRunInfo converted = BenchmarkConverter.TypeToBenchmarks(typeof(AttentionBenchmarks),
    ManualConfig.Create(config).AddJob(Job.Default.WithToolchain(inProcess)));
var selected = new List<BenchmarkCase>();
foreach (BenchmarkCase benchmark in converted.BenchmarksCases)
{
    CaseState state = suite.Get((string)benchmark.Parameters["Case"]);
    int threads = (int)benchmark.Parameters["Threads"];
    Method method = Enum.Parse<Method>(benchmark.Descriptor.WorkloadMethod.Name);
    if (!state.Case.Threads.Contains(threads) || (method == Method.OnnxRuntime && !state.OrtChoice.ContainsKey(threads)))
        continue;
    Job job = JobFor(state.EstimatedSeconds(method, threads), quick, inProcess);
    selected.Add(BenchmarkCase.Create(benchmark.Descriptor, job, benchmark.Parameters, benchmark.Config));
}
var attentionInfo = new BenchmarkRunInfo(selected.ToArray(), typeof(AttentionBenchmarks), converted.Config);

// Matrix products: calls of tens of milliseconds, a throughput job each.
BenchmarkRunInfo matMulConverted = BenchmarkConverter.TypeToBenchmarks(typeof(MatMulBenchmarks),
    ManualConfig.Create(config).AddJob(JobFor(0, quick, inProcess)));
var matMulInfo = new BenchmarkRunInfo(matMulConverted.BenchmarksCases
    .Where(b => suite.MatMuls.Single(c => c.Name == (string)b.Parameters["Case"]).Threads.Contains((int)b.Parameters["Threads"])).ToArray(),
    typeof(MatMulBenchmarks), matMulConverted.Config);

Summary[] summaries = BenchmarkRunner.Run(new[] { peakInfo, attentionInfo, matMulInfo }.Where(info => info.BenchmarksCases.Length > 0).ToArray());
var reports = summaries.SelectMany(s => s.Reports).ToList();
var problems = new List<string>();
foreach (Summary s in summaries.Where(s => s.HasCriticalValidationErrors))
    problems.Add($"{s.Title}: critical validation errors");

// ---- Results
double? PeakGflops(int threads)
{
    BenchmarkReport? r = reports.FirstOrDefault(r => r.BenchmarkCase.Descriptor.Type == typeof(FmaPeak)
        && (int)r.BenchmarkCase.Parameters["Threads"] == threads);
    // A peak is the best the machine did: BenchmarkDotNet's min time (shared machines only ever slow it down).
    return r?.ResultStatistics is { } stats ? FmaPeak.FlopsFor(threads) / (stats.Min * 1e-9) / 1e9 : null;
}
foreach (int threads in suite.PeakThreads)
{
    if (PeakGflops(threads) is null)
        problems.Add($"FMA peak at {threads} thread(s): NA");
}

// BenchmarkDotNet's min and median, in seconds, of one (benchmark class, case, method, threads); null when it has none.
(double Min, double Median)? TimeOf(Type benchmarks, string caseName, Method method, int threads)
{
    BenchmarkReport? r = reports.FirstOrDefault(r => r.BenchmarkCase.Descriptor.Type == benchmarks
        && (string)r.BenchmarkCase.Parameters["Case"] == caseName
        && (int)r.BenchmarkCase.Parameters["Threads"] == threads
        && r.BenchmarkCase.Descriptor.WorkloadMethod.Name == method.ToString());
    return r?.ResultStatistics is { } stats ? (stats.Min * 1e-9, stats.Median * 1e-9) : null;
}

(double Min, double Median)? Time(CaseState state, Method method, int threads)
    => TimeOf(typeof(AttentionBenchmarks), state.Case.Name, method, threads);

var md = new List<string>();
md.Add($"# KernelGen benchmark results ({(quick ? "quick" : "full")} mode)");
md.Add("");
md.Add($"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, .NET {Environment.Version}, fp32, B=1. " +
    "GFLOP/s from BenchmarkDotNet's median time; FLOPs: 4·B·H·Nq·Nkv·D, halved for causal (Nq = Nkv); window: W for Nkv " +
    "(each query sees W keys, not halved); linear: 4·B·H·N·D² for the running state (2·D² update + 2·D² read-out per position and head). " +
    "% of FMA peak: KernelGen (median) against the FMA peak measured in this run at the same thread count (its min time, i.e. best GFLOP/s).");
md.Add("");
md.Add("| threads | FMA peak GFLOP/s |");
md.Add("| --- | ---: |");
foreach (int threads in suite.PeakThreads)
    md.Add($"| {threads} | {Num(PeakGflops(threads))} |");
md.Add("");
md.Add("| case | threads | KernelGen GFLOP/s | generic GFLOP/s | ORT op | ORT GFLOP/s | KernelGen/ORT | % of FMA peak |");
md.Add("| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: |");
var detail = new List<string>
{
    "| case | threads | method | min | median | GFLOP/s (median) | check max abs err |",
    "| --- | ---: | --- | ---: | ---: | ---: | ---: |",
};
foreach (CaseState state in suite.Cases)
{
    BenchCase c = state.Case;
    if (state.GeneratedKernelProblem is not null)
        problems.Add($"{c.Name}: {state.GeneratedKernelProblem}");
    foreach (Method method in new[] { Method.KernelGen, Method.Generic })
    {
        if (!ReferenceCheck.Passes(state.FirstCall[method].MaxError))
            problems.Add($"{c.Name}: {method} fails the reference check (max |err| {Format.Error(state.FirstCall[method].MaxError)})");
    }
    foreach (var ((method, threads), error) in state.PostChecks)
    {
        if (!ReferenceCheck.Passes(error))
            problems.Add($"{c.Name}: {method} at {threads} thread(s) left a wrong output after timing (max |err| {Format.Error(error)})");
    }
    foreach (int threads in c.Threads)
    {
        double? Gflops(Method method) => Time(state, method, threads) is { } t ? c.Flops / t.Median / 1e9 : null;
        foreach (Method method in Enum.GetValues<Method>())
        {
            bool expected = method != Method.OnnxRuntime || state.OrtChoice.ContainsKey(threads);
            if (!expected)
                continue;
            var time = Time(state, method, threads);
            if (time is null)
                problems.Add($"{c.Name} / {method} / {threads} thread(s): NA (no result)");
            string label = method == Method.OnnxRuntime ? $"ORT {state.OrtChoice[threads].Candidate.Label}" : method.ToString();
            string error = state.PostChecks.TryGetValue((method, threads), out double e) ? Format.Error(e) : "—";
            detail.Add($"| {c.Name} | {threads} | {label} | {(time is { } t1 ? Format.Seconds(t1.Min) : "NA")} | " +
                $"{(time is { } t2 ? Format.Seconds(t2.Median) : "NA")} | {Num(Gflops(method))} | {error} |");
        }
        double? kernelGen = Gflops(Method.KernelGen), generic = Gflops(Method.Generic);
        string ortOp, ortGflops, ratio;
        if (state.OrtChoice.TryGetValue(threads, out OrtTrial? choice))
        {
            double? ort = Gflops(Method.OnnxRuntime);
            ortOp = choice.Candidate.Label;
            ortGflops = Num(ort);
            ratio = kernelGen is { } a && ort is { } b ? $"{a / b:F2}×" : "NA";
        }
        else
        {
            ortOp = c.NoOrtReason is { } reason ? $"— ({reason})" : "— (no op passed the check)";
            ortGflops = "—";
            ratio = "—";
        }
        string ofPeak = kernelGen is { } kg && PeakGflops(threads) is { } peak ? $"{100 * kg / peak:F1}%" : "NA";
        md.Add($"| {c.Name} | {threads} | {Num(kernelGen)} | {Num(generic)} | {ortOp} | {ortGflops} | {ratio} | {ofPeak} |");
    }
}

if (suite.MatMuls.Count > 0)
{
    md.Add("");
    md.Add("Matrix products C = A·B + bias (2·m·k·n FLOPs; ORT: Gemm with B and bias as initializers):");
    md.Add("");
    md.Add("| product | threads | KernelGen GFLOP/s (median) | KernelGen min / median | ORT Gemm GFLOP/s (median) | ORT min / median | KernelGen/ORT | % of FMA peak |");
    md.Add("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
}
foreach (MatMulCase c in suite.MatMuls)
{
    foreach (int threads in c.Threads)
    {
        var kernelGen = TimeOf(typeof(MatMulBenchmarks), c.Name, Method.KernelGen, threads);
        var ort = TimeOf(typeof(MatMulBenchmarks), c.Name, Method.OnnxRuntime, threads);
        foreach (Method method in new[] { Method.KernelGen, Method.OnnxRuntime })
        {
            if ((method == Method.KernelGen ? kernelGen : ort) is null)
                problems.Add($"{c.Name} / {method} / {threads} thread(s): NA (no result)");
            if (!suite.MatMulChecks.TryGetValue((c.Name, method, threads), out double error) || !(error <= c.Tolerance))
                problems.Add($"{c.Name} / {method} / {threads} thread(s): output fails the float64 check (relative error {error:E1})");
        }
        string Times((double Min, double Median)? t) => t is { } v ? $"{Format.Seconds(v.Min)} / {Format.Seconds(v.Median)}" : "NA";
        double? kgGflops = kernelGen is { } k1 ? c.Flops / k1.Median / 1e9 : null;
        double? ortGflops = ort is { } o1 ? c.Flops / o1.Median / 1e9 : null;
        string ratio = kgGflops is { } x && ortGflops is { } y ? $"{x / y:F2}×" : "NA";
        string ofPeak = kgGflops is { } kg && PeakGflops(threads) is { } peak ? $"{100 * kg / peak:F1}%" : "NA";
        md.Add($"| {c.Name} | {threads} | {Num(kgGflops)} | {Times(kernelGen)} | {Num(ortGflops)} | {Times(ort)} | {ratio} | {ofPeak} |");
    }
}

md.Add("");
md.Add("## Times (BenchmarkDotNet min and median per call) and the post-run check of each timed output");
md.Add("");
md.AddRange(detail);
md.Add("");
md.Add("## ONNX Runtime ops tried (untimed trial runs; the fastest op that passes the check is the peer)");
md.Add("");
md.Add("| case | op | threads | trial time | check max abs err | note |");
md.Add("| --- | --- | ---: | ---: | ---: | --- |");
foreach (CaseState state in suite.Cases)
{
    foreach (OrtTrial trial in state.OrtTrials)
    {
        bool chosen = state.OrtChoice.TryGetValue(trial.Threads, out OrtTrial? c) && c == trial;
        md.Add($"| {state.Case.Name} | {trial.Candidate.Label} | {trial.Threads} | {(double.IsNaN(trial.Seconds) ? "—" : Format.Seconds(trial.Seconds))} | " +
            $"{Format.Error(trial.MaxError)} | {(chosen ? "**picked**" : trial.Problem ?? "")} |");
    }
    if (state.Case.OrtCandidates.Count == 0)
        md.Add($"| {state.Case.Name} | — | — | — | — | {state.Case.NoOrtReason} |");
}
md.Add("");
md.Add(problems.Count == 0 ? "All results present; every checked output within 1e-4 of the float64 reference."
    : "## PROBLEMS\n\n" + string.Join("\n", problems.Select(p => $"- {p}")));

string path = System.IO.Path.Combine(config.ArtifactsPath ?? "BenchmarkDotNet.Artifacts", "kernelgen-results.md");
System.IO.Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
System.IO.File.WriteAllLines(path, md);

Console.WriteLine();
foreach (string line in md)
    Console.WriteLine(line);
Console.WriteLine();
Console.WriteLine($"written to {System.IO.Path.GetFullPath(path)}; total {wall.Elapsed.TotalMinutes:F1} min");
if (problems.Count > 0)
{
    Console.Error.WriteLine($"FAILED: {problems.Count} problem(s); see the list above");
    return 1;
}
return 0;

static string Num(double? value) => value is { } v ? (v >= 100 ? v.ToString("F0") : v >= 10 ? v.ToString("F1") : v.ToString("F2")) : "NA";

// Fast calls: BenchmarkDotNet's throughput strategy picks the invocation count. Slower calls: one invocation per
// iteration (InvocationCount = UnrollFactor = 1), as many iterations as fit a few seconds (at least 3, 2 when
// quick), and no warm-up beyond the untimed check call when a call takes a second or more.
static Job JobFor(double seconds, bool quick, InProcessEmitToolchain toolchain)
{
    Job job = Job.Default.WithToolchain(toolchain).WithLaunchCount(1);
    if (seconds < 0.02)
    {
        return job.WithId("fast").WithStrategy(RunStrategy.Throughput)
            .WithWarmupCount(quick ? 2 : 3).WithIterationCount(quick ? 5 : 10)
            .WithIterationTime(TimeInterval.FromMilliseconds(quick ? 100 : 200));
    }
    int iterations = Math.Clamp((int)Math.Round((quick ? 2.0 : 6.0) / seconds), quick ? 2 : 3, quick ? 7 : 15);
    int warmup = seconds >= 1 ? 0 : 1;
    return job.WithId($"1call-{warmup}w{iterations}i").WithStrategy(RunStrategy.Monitoring)
        .WithInvocationCount(1).WithUnrollFactor(1).WithWarmupCount(warmup).WithIterationCount(iterations);
}

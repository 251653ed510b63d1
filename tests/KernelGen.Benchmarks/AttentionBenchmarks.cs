using System;
using System.Collections.Generic;
using System.Linq;
using BenchmarkDotNet.Attributes;
using KernelGen;

namespace KernelGen.Benchmarks;

/// <summary>
/// One case at one thread count: the generated kernel, the generic kernel and the ONNX Runtime peer, each on the
/// same pre-built input into a pre-allocated output. Only the call is timed; setup (layout conversion, sessions,
/// binding) happens in the global setups. Each global cleanup checks the last output against the float64 reference
/// again, so every timed configuration (2 threads too) is known to compute the right thing.
/// </summary>
public class AttentionBenchmarks
{
    public static IEnumerable<string> CaseNames => Suite.Current.Cases.Select(c => c.Case.Name);
    public static IEnumerable<int> ThreadCounts => Suite.Current.Cases.SelectMany(c => c.Case.Threads).Distinct().Order();

    [ParamsSource(nameof(CaseNames))]
    public string Case { get; set; } = "";

    [ParamsSource(nameof(ThreadCounts))]
    public int Threads { get; set; }

    private CaseState _state = null!;
    private BenchCase _case = null!;
    private float[] _q = null!, _k = null!, _v = null!, _output = null!;
    private GenericAttentionKernel _generic = null!;
    private OrtPeer? _ort;

    private void Common()
    {
        _state = Suite.Current.Get(Case);
        _case = _state.Case;
        (_q, _k, _v) = (_state.Q, _state.K, _state.V);
        _output = new float[_q.Length];
        AttentionParallelism.MaxDegreeOfParallelism = Threads;
    }

    [GlobalSetup(Target = nameof(KernelGen))]
    public void SetupKernelGen() => Common();

    [GlobalSetup(Target = nameof(Generic))]
    public void SetupGeneric()
    {
        Common();
        _generic = new GenericAttentionKernel(_case.Config);
    }

    [GlobalSetup(Target = nameof(OnnxRuntime))]
    public void SetupOnnxRuntime()
    {
        Common();
        OrtCandidate candidate = _state.OrtChoice[Threads].Candidate;
        _ort = new OrtPeer(_case, candidate, Threads, _q, _k, _v);
        _ort.Run(); // the first run sizes the session's arena; not timed
    }

    [GlobalCleanup(Target = nameof(KernelGen))]
    public void CleanupKernelGen() => _state.PostCheck(Method.KernelGen, Threads, _output);

    [GlobalCleanup(Target = nameof(Generic))]
    public void CleanupGeneric() => _state.PostCheck(Method.Generic, Threads, _output);

    [GlobalCleanup(Target = nameof(OnnxRuntime))]
    public void CleanupOnnxRuntime()
    {
        if (_ort is not null)
        {
            _state.PostCheck(Method.OnnxRuntime, Threads, _ort.OutputBhsd());
            _ort.Dispose();
            _ort = null;
        }
    }

    /// <summary>The kernel generated for this case's [Attention] class.</summary>
    [Benchmark]
    public void KernelGen() => _case.Generated(_q, _k, _v, _output, BenchCase.Batch, _case.QueryLength, _case.KeyLength);

    /// <summary>The runtime's generic kernel, configured at run time.</summary>
    [Benchmark]
    public void Generic() => _generic.Forward(_q, _k, _v, _output, BenchCase.Batch, _case.QueryLength, _case.KeyLength);

    /// <summary>ONNX Runtime 1.31.1, the op picked for this case and thread count.</summary>
    [Benchmark]
    public void OnnxRuntime() => _ort!.Run();
}

public enum Method
{
    KernelGen,
    Generic,
    OnnxRuntime,
}

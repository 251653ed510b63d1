using System;
using System.Collections.Generic;
using System.Linq;
using BenchmarkDotNet.Attributes;
using KernelGen;

namespace KernelGen.Benchmarks;

/// <summary>
/// The projections around attention: <see cref="MatrixMultiply.Multiply"/> (B packed every call) against ONNX
/// Runtime's Gemm (B an initializer), on the same inputs. Each global cleanup checks the last output against float64.
/// </summary>
public class MatMulBenchmarks
{
    public static IEnumerable<string> CaseNames => Suite.Current.MatMuls.Select(c => c.Name);
    public static IEnumerable<int> ThreadCounts => Suite.Current.MatMuls.SelectMany(c => c.Threads).Distinct().Order();

    [ParamsSource(nameof(CaseNames))]
    public string Case { get; set; } = "";

    [ParamsSource(nameof(ThreadCounts))]
    public int Threads { get; set; }

    private MatMulCase _case = null!;
    private float[] _output = [];
    private OrtMatMulPeer? _ort;

    [GlobalSetup(Target = nameof(KernelGen))]
    public void SetupKernelGen()
    {
        _case = Suite.Current.MatMuls.Single(c => c.Name == Case);
        _output = new float[(long)_case.M * _case.N];
        AttentionParallelism.MaxDegreeOfParallelism = Threads;
    }

    [GlobalSetup(Target = nameof(OnnxRuntime))]
    public void SetupOnnxRuntime()
    {
        _case = Suite.Current.MatMuls.Single(c => c.Name == Case);
        _ort = new OrtMatMulPeer(_case, Threads);
        _ort.Run(); // sizes the session's arena; not timed
    }

    [GlobalCleanup(Target = nameof(KernelGen))]
    public void CleanupKernelGen() => Suite.Current.MatMulCheck(_case, Method.KernelGen, Threads, _case.RelativeError(_output));

    [GlobalCleanup(Target = nameof(OnnxRuntime))]
    public void CleanupOnnxRuntime()
    {
        Suite.Current.MatMulCheck(_case, Method.OnnxRuntime, Threads, _case.RelativeError(_ort!.Output));
        _ort.Dispose();
        _ort = null;
    }

    /// <summary>KernelGen's blocked GEMM, bias included.</summary>
    [Benchmark]
    public void KernelGen() => MatrixMultiply.Multiply(_case.A, _case.B, _output, _case.M, _case.K, _case.N, _case.Bias);

    /// <summary>ONNX Runtime 1.31.1 Gemm, bias included.</summary>
    [Benchmark]
    public void OnnxRuntime() => _ort!.Run();
}

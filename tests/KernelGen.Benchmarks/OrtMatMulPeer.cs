using System;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace KernelGen.Benchmarks;

/// <summary>
/// ONNX Runtime's <c>Gemm</c> on one projection: A [m, k] as an input, B [k, n] and the bias as initializers (weights,
/// as in an exported model, so ORT may pre-pack B once at session creation), bound to pre-allocated tensors.
/// </summary>
public sealed class OrtMatMulPeer : IDisposable
{
    private readonly InferenceSession _session;
    private readonly SessionOptions _options;
    private readonly RunOptions _runOptions = new();
    private readonly OrtValue _input, _output;
    private readonly string[] _inputNames = ["A"], _outputNames = ["C"];
    private readonly OrtValue[] _inputs, _outputs;

    public float[] Output { get; }

    public OrtMatMulPeer(MatMulCase c, int threads)
    {
        var weights = new TensorProto { Name = "B", DataType = (int)TensorProto.Types.DataType.Float, Dims = { c.K, c.N } };
        weights.FloatData.Add(c.B);
        var bias = new TensorProto { Name = "bias", DataType = (int)TensorProto.Types.DataType.Float, Dims = { c.N } };
        bias.FloatData.Add(c.Bias);
        var graph = new GraphProto
        {
            Name = "projection",
            Node = { new NodeProto { Name = "gemm", OpType = "Gemm", Input = { "A", "B", "bias" }, Output = { "C" } } },
            Initializer = { weights, bias },
            Input = { OrtPeer.ValueInfo("A", TensorProto.Types.DataType.Float, [c.M, c.K]) },
            Output = { OrtPeer.ValueInfo("C", TensorProto.Types.DataType.Float, [c.M, c.N]) },
        };
        var model = new ModelProto
        {
            IrVersion = 10,
            ProducerName = "KernelGen.Benchmarks",
            Graph = graph,
            OpsetImport = { new OperatorSetIdProto { Domain = "", Version = 23 } },
        };
        _options = OrtPeer.SessionOptionsFor(threads);
        _session = new InferenceSession(model.ToByteArray(), _options);
        Output = new float[(long)c.M * c.N];
        _input = OrtValue.CreateTensorValueFromMemory(c.A, [c.M, c.K]);
        _output = OrtValue.CreateTensorValueFromMemory(Output, [c.M, c.N]);
        _inputs = [_input];
        _outputs = [_output];
    }

    /// <summary>One inference into the pre-allocated output.</summary>
    public void Run() => _session.Run(_runOptions, _inputNames, _inputs, _outputNames, _outputs);

    public void Dispose()
    {
        _session.Dispose();
        _input.Dispose();
        _output.Dispose();
        _options.Dispose();
        _runOptions.Dispose();
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using Onnx;

namespace KernelGen.MiniLM;

/// <summary>
/// The float weights of an ONNX graph by name. Biases and LayerNorm parameters keep their PyTorch names as
/// initializers, but the exporter renames each linear layer's transposed weight to a number; the graph still tells
/// whose it is: the weight is the constant input of the MatMul whose result is added to <c>X.bias</c>, so it is
/// filed here as <c>X.weight</c>, laid out <c>[in, out]</c>.
/// </summary>
public sealed class OnnxInitializers
{
    private const int FloatType = (int)TensorProto.Types.DataType.Float;
    private readonly Dictionary<string, (float[] Data, long[] Shape)> _tensors = new();

    /// <summary>Reads every float initializer of <paramref name="graph"/> and names the linear weights.</summary>
    public OnnxInitializers(GraphProto graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        foreach (TensorProto tensor in graph.Initializer.Where(t => t.DataType == FloatType))
            _tensors[tensor.Name] = (ToFloats(tensor), tensor.Dims.ToArray());

        Dictionary<string, NodeProto> producers = graph.Node
            .SelectMany(node => node.Output.Select(output => (output, node)))
            .ToDictionary(pair => pair.output, pair => pair.node);
        foreach (NodeProto add in graph.Node.Where(n => n.OpType == "Add" && n.Input.Count == 2))
        {
            string? bias = add.Input.FirstOrDefault(i => i.EndsWith(".bias", StringComparison.Ordinal) && _tensors.ContainsKey(i));
            string? product = add.Input.FirstOrDefault(i => i != bias);
            if (bias is null || product is null || !producers.TryGetValue(product, out NodeProto? matMul)
                || matMul.OpType != "MatMul" || !_tensors.TryGetValue(matMul.Input[1], out var weight))
            {
                continue;
            }
            _tensors[bias[..^".bias".Length] + ".weight"] = weight;
        }
    }

    /// <summary>The tensor named <paramref name="name"/>, checked to have <paramref name="shape"/>.</summary>
    /// <exception cref="InvalidOperationException">The graph has no such tensor, or its shape differs.</exception>
    public float[] Get(string name, params long[] shape)
    {
        if (!_tensors.TryGetValue(name, out var tensor))
            throw new InvalidOperationException($"The ONNX graph has no float tensor named {name}.");
        if (!tensor.Shape.SequenceEqual(shape))
            throw new InvalidOperationException($"{name} has shape [{string.Join(", ", tensor.Shape)}], not [{string.Join(", ", shape)}].");
        return tensor.Data;
    }

    /// <summary>Whether the graph has a tensor named <paramref name="name"/>.</summary>
    public bool Contains(string name) => _tensors.ContainsKey(name);

    private static float[] ToFloats(TensorProto tensor)
        => tensor.RawData.IsEmpty
            ? tensor.FloatData.ToArray()
            : MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray(); // raw data is little-endian, as the CPU
}

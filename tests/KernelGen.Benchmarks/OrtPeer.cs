using System;
using System.Collections.Generic;
using System.Linq;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace KernelGen.Benchmarks;

/// <summary>The ONNX Runtime ops that can compute an attention case.</summary>
public enum OrtOp
{
    /// <summary><c>com.microsoft.MultiHeadAttention</c>: q/k/v as [B, S, H·D], <c>unidirectional</c> for causal.</summary>
    MultiHeadAttention,

    /// <summary>ONNX opset-23 <c>Attention</c>: 4-D [B, H, S, D] q/k/v, <c>is_causal</c> (top-left aligned), KV heads from the shapes.</summary>
    Attention23,

    /// <summary><c>com.microsoft.GroupQueryAttention</c>: always causal, bottom-right aligned; <c>local_window_size</c>.</summary>
    GroupQueryAttention,
}

/// <summary>One way to hand a case to ONNX Runtime.</summary>
public sealed record OrtCandidate(OrtOp Op, bool RepeatKv)
{
    public static OrtCandidate Mha(bool repeatKv = false) => new(OrtOp.MultiHeadAttention, repeatKv);
    public static OrtCandidate Attention23() => new(OrtOp.Attention23, false);
    public static OrtCandidate Gqa() => new(OrtOp.GroupQueryAttention, false);

    public string Label => Op switch
    {
        OrtOp.MultiHeadAttention => RepeatKv ? "MultiHeadAttention (K/V repeated)" : "MultiHeadAttention",
        OrtOp.Attention23 => "Attention-23",
        _ => "GroupQueryAttention",
    };

    /// <summary>Why this op cannot express the case at all (null: it can).</summary>
    public string? Unsupported(BenchCase c)
    {
        bool gqa = c.KvHeads != c.Heads;
        return Op switch
        {
            OrtOp.MultiHeadAttention when gqa && !RepeatKv => "MultiHeadAttention has no KV-head count",
            OrtOp.GroupQueryAttention when !c.Config.Causal => "GroupQueryAttention is always causal",
            OrtOp.GroupQueryAttention when c.QueryLength != c.KeyLength => "GroupQueryAttention prompt needs Nq = Nkv here",
            // A window through an N×N mask is full attention plus a mask: N² work and B·H·N² floats of scores. At
            // N = 16384 that is ~10 GB and tens of seconds a call; the quick mode's N = 2048 trials show it ~10×
            // slower than GroupQueryAttention's local window, so it is tried only up to N = 4096.
            OrtOp.MultiHeadAttention or OrtOp.Attention23 when c.Config.Window > 0 && (long)c.QueryLength * c.KeyLength > 4096L * 4096
                => "masked full attention (N×N mask) too slow and large at this N; tried up to N = 4096",
            _ => null,
        };
    }
}

/// <summary>
/// A one-node ONNX model built in memory for one case and one op, with its inputs and outputs bound to pre-allocated
/// tensors once, so that <see cref="Run"/> allocates nothing per call. Inputs are converted from KernelGen's
/// [B, H, S, D] layout here, at setup, never in the timed call.
/// </summary>
public sealed class OrtPeer : IDisposable
{
    private readonly InferenceSession _session;
    private readonly SessionOptions _options;
    private readonly RunOptions _runOptions = new();
    private readonly List<OrtValue> _values = new();
    private readonly string[] _inputNames, _outputNames;
    private readonly OrtValue[] _inputs, _outputs;
    private readonly float[] _output;
    private readonly bool _outputIsBshd;
    private readonly BenchCase _case;

    public OrtCandidate Candidate { get; }

    public OrtPeer(BenchCase c, OrtCandidate candidate, int threads, float[] q, float[] k, float[] v)
    {
        _case = c;
        Candidate = candidate;
        int h = c.Heads, hkv = c.KvHeads, d = c.HeadDim, nq = c.QueryLength, nkv = c.KeyLength;
        var inputs = new List<(string Name, OrtValue Value, TensorProto.Types.DataType Type, long[] Shape)>();
        var outputs = new List<(string Name, OrtValue Value, long[] Shape)>();
        var node = new NodeProto { Name = "attention", Output = { "output" } };

        void Input<T>(string name, T[] data, long[] shape, TensorProto.Types.DataType type) where T : unmanaged
        {
            var value = OrtValue.CreateTensorValueFromMemory(data, shape);
            inputs.Add((name, value, type, shape));
        }
        void FloatInput(string name, float[] data, long[] shape) => Input(name, data, shape, TensorProto.Types.DataType.Float);

        switch (candidate.Op)
        {
            case OrtOp.MultiHeadAttention:
            {
                // [B, S, H·D]; the GQA case repeats each KV head for the query heads that read it.
                int kvOut = candidate.RepeatKv ? h : hkv;
                FloatInput("query", Layout.BhsdToBshd(q, h, nq, d), [BenchCase.Batch, nq, h * d]);
                FloatInput("key", Layout.BhsdToBshd(k, hkv, nkv, d, kvOut), [BenchCase.Batch, nkv, kvOut * d]);
                FloatInput("value", Layout.BhsdToBshd(v, hkv, nkv, d, kvOut), [BenchCase.Batch, nkv, kvOut * d]);
                node.OpType = "MultiHeadAttention";
                node.Domain = "com.microsoft";
                node.Input.Add(["query", "key", "value"]);
                node.Attribute.Add(IntAttribute("num_heads", h));
                bool unidirectional = c.Config.Causal && nq == nkv && c.Config.Window == 0;
                node.Attribute.Add(IntAttribute("unidirectional", unidirectional ? 1 : 0));
                if (c.Config.Window > 0)
                {
                    // No window in the op: an additive N×N attention_bias (0 visible, −∞ masked), broadcast over heads.
                    FloatInput("attention_bias", Layout.AdditiveMask(c), [1, 1, nq, nkv]);
                    node.Input.Add(["", "", "attention_bias"]);
                }
                _outputIsBshd = true;
                _output = new float[BenchCase.Batch * nq * h * d];
                outputs.Add(("output", OrtValue.CreateTensorValueFromMemory(_output, [BenchCase.Batch, nq, h * d]), [BenchCase.Batch, nq, h * d]));
                break;
            }
            case OrtOp.Attention23:
            {
                FloatInput("Q", q, [BenchCase.Batch, h, nq, d]);
                FloatInput("K", k, [BenchCase.Batch, hkv, nkv, d]);
                FloatInput("V", v, [BenchCase.Batch, hkv, nkv, d]);
                node.OpType = "Attention";
                node.Input.Add(["Q", "K", "V"]);
                // is_causal is top-left aligned: equal to KernelGen's bottom-right only when Nq = Nkv (checked below).
                bool causal = c.Config.Causal && nq == nkv && c.Config.Window == 0;
                node.Attribute.Add(IntAttribute("is_causal", causal ? 1 : 0));
                if (c.Config.Window > 0)
                {
                    Input("attn_mask", Layout.BooleanMask(c), [nq, nkv], TensorProto.Types.DataType.Bool);
                    node.Input.Add("attn_mask");
                }
                _outputIsBshd = false;
                _output = new float[BenchCase.Batch * h * nq * d];
                outputs.Add(("output", OrtValue.CreateTensorValueFromMemory(_output, [BenchCase.Batch, h, nq, d]), [BenchCase.Batch, h, nq, d]));
                break;
            }
            case OrtOp.GroupQueryAttention:
            {
                FloatInput("query", Layout.BhsdToBshd(q, h, nq, d), [BenchCase.Batch, nq, h * d]);
                FloatInput("key", Layout.BhsdToBshd(k, hkv, nkv, d), [BenchCase.Batch, nkv, hkv * d]);
                FloatInput("value", Layout.BhsdToBshd(v, hkv, nkv, d), [BenchCase.Batch, nkv, hkv * d]);
                // seqlens_k is the index of each sequence's last key (total − 1); no past: this is a prompt.
                Input("seqlens_k", new[] { nkv - 1 }, [BenchCase.Batch], TensorProto.Types.DataType.Int32);
                Input("total_sequence_length", new[] { nkv }, [1], TensorProto.Types.DataType.Int32);
                node.OpType = "GroupQueryAttention";
                node.Domain = "com.microsoft";
                node.Input.Add(["query", "key", "value", "", "", "seqlens_k", "total_sequence_length"]);
                node.Attribute.Add(IntAttribute("num_heads", h));
                node.Attribute.Add(IntAttribute("kv_num_heads", hkv));
                if (c.Config.Window > 0)
                {
                    // ORT 1.31's CPU kernel shows a query local_window_size keys, its own included (older releases
                    // showed one more); the reference check below catches either way of counting.
                    node.Attribute.Add(IntAttribute("local_window_size", c.Config.Window));
                }
                _outputIsBshd = true;
                _output = new float[BenchCase.Batch * nq * h * d];
                outputs.Add(("output", OrtValue.CreateTensorValueFromMemory(_output, [BenchCase.Batch, nq, h * d]), [BenchCase.Batch, nq, h * d]));
                // The CPU kernel writes the present K/V cache; bound to buffers allocated once.
                long[] presentShape = [BenchCase.Batch, hkv, nkv, d];
                node.Output.Add(["present_key", "present_value"]);
                outputs.Add(("present_key", OrtValue.CreateTensorValueFromMemory(new float[BenchCase.Batch * hkv * nkv * d], presentShape), presentShape));
                outputs.Add(("present_value", OrtValue.CreateTensorValueFromMemory(new float[BenchCase.Batch * hkv * nkv * d], presentShape), presentShape));
                break;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(candidate), candidate.Op, "unknown op");
        }

        var graph = new GraphProto { Name = "attention", Node = { node } };
        foreach (var input in inputs)
            graph.Input.Add(ValueInfo(input.Name, input.Type, input.Shape));
        foreach (var output in outputs)
            graph.Output.Add(ValueInfo(output.Name, TensorProto.Types.DataType.Float, output.Shape));
        var model = new ModelProto
        {
            IrVersion = 10,
            ProducerName = "KernelGen.Benchmarks",
            Graph = graph,
            OpsetImport =
            {
                new OperatorSetIdProto { Domain = "", Version = 23 },
                new OperatorSetIdProto { Domain = "com.microsoft", Version = 1 },
            },
        };

        _options = SessionOptionsFor(threads);
        _values.AddRange(inputs.Select(i => i.Value));
        _values.AddRange(outputs.Select(o => o.Value));
        try
        {
            _session = new InferenceSession(model.ToByteArray(), _options);
        }
        catch
        {
            Dispose();
            throw;
        }
        _inputNames = inputs.Select(i => i.Name).ToArray();
        _inputs = inputs.Select(i => i.Value).ToArray();
        _outputNames = outputs.Select(o => o.Name).ToArray();
        _outputs = outputs.Select(o => o.Value).ToArray();
    }

    /// <summary>One inference into the pre-allocated output tensors.</summary>
    public void Run() => _session.Run(_runOptions, _inputNames, _inputs, _outputNames, _outputs);

    /// <summary>The last output in KernelGen's [B, H, S, D] layout (a copy; for checking, not timed).</summary>
    public float[] OutputBhsd() => _outputIsBshd
        ? Layout.BshdToBhsd(_output, _case.Heads, _case.QueryLength, _case.HeadDim)
        : (float[])_output.Clone();

    public void Dispose()
    {
        _session?.Dispose();
        foreach (var value in _values)
            value.Dispose();
        _options.Dispose();
        _runOptions.Dispose();
    }

    internal static AttributeProto IntAttribute(string name, long value)
        => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    /// <summary>One inference at a time on <paramref name="threads"/> intra-op threads, fully optimized, quiet: how every peer session runs.</summary>
    internal static SessionOptions SessionOptionsFor(int threads) => new()
    {
        IntraOpNumThreads = threads,
        InterOpNumThreads = 1,
        ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
    };

    internal static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, long[] shape)
    {
        var tensorShape = new TensorShapeProto();
        foreach (long dim in shape)
            tensorShape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = dim });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = tensorShape } },
        };
    }
}

/// <summary>Layout conversions between KernelGen's [B, H, S, D] and ONNX Runtime's [B, S, H·D], and masks.</summary>
public static class Layout
{
    /// <summary>[1, H, S, D] to [1, S, outHeads·D]; with outHeads &gt; H each head is repeated for outHeads / H heads.</summary>
    public static float[] BhsdToBshd(float[] x, int heads, int seq, int d, int outHeads = 0)
    {
        if (outHeads == 0)
            outHeads = heads;
        int group = outHeads / heads;
        var y = new float[seq * outHeads * d];
        for (int oh = 0; oh < outHeads; oh++)
        {
            int h = oh / group;
            for (int s = 0; s < seq; s++)
                Array.Copy(x, (h * seq + s) * d, y, (s * outHeads + oh) * d, d);
        }
        return y;
    }

    /// <summary>[1, S, H·D] to [1, H, S, D].</summary>
    public static float[] BshdToBhsd(float[] x, int heads, int seq, int d)
    {
        var y = new float[x.Length];
        for (int h = 0; h < heads; h++)
            for (int s = 0; s < seq; s++)
                Array.Copy(x, (s * heads + h) * d, y, (h * seq + s) * d, d);
        return y;
    }

    /// <summary>KernelGen's mask as Nq×Nkv booleans (true: visible), positions bottom-right aligned.</summary>
    public static bool[] BooleanMask(BenchCase c)
    {
        var mask = new bool[(long)c.QueryLength * c.KeyLength];
        for (int i = 0; i < c.QueryLength; i++)
        {
            int position = i + c.KeyLength - c.QueryLength;
            for (int j = 0; j < c.KeyLength; j++)
                mask[(long)i * c.KeyLength + j] = ReferenceAttention.IsVisible(c.Config, position, j, c.KeyLength);
        }
        return mask;
    }

    /// <summary>KernelGen's mask as an additive Nq×Nkv bias: 0 where visible, −∞ where masked.</summary>
    public static float[] AdditiveMask(BenchCase c)
    {
        bool[] visible = BooleanMask(c);
        var bias = new float[visible.Length];
        for (long i = 0; i < visible.Length; i++)
            bias[i] = visible[i] ? 0f : float.NegativeInfinity;
        return bias;
    }
}

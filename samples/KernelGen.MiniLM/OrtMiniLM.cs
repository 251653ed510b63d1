using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace KernelGen.MiniLM;

/// <summary>The original all-MiniLM-L6-v2 graph on ONNX Runtime (CPU), for checking and timing the KernelGen encoder.</summary>
public sealed class OrtMiniLM : IDisposable
{
    private readonly InferenceSession _session;

    /// <summary>Loads the model with <paramref name="threads"/> intra-op threads (graph optimizations all on).</summary>
    public OrtMiniLM(byte[] modelBytes, int threads)
    {
        ArgumentNullException.ThrowIfNull(modelBytes);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        using var options = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        _session = new InferenceSession(modelBytes, options);
    }

    /// <summary>Runs the model on <paramref name="tokens"/>: <c>last_hidden_state</c>, [batch, seq, 384].</summary>
    public float[] LastHiddenState(TokenBatch tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        int[] shape = [tokens.Batch, tokens.SequenceLength];
        var inputs = new List<NamedOnnxValue>
        {
            NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(tokens.InputIds, shape)),
            NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(tokens.AttentionMask, shape)),
            NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>(tokens.TokenTypeIds, shape)),
        };
        using IDisposableReadOnlyCollection<DisposableNamedOnnxValue> results = _session.Run(inputs, ["last_hidden_state"]);
        return results[0].AsEnumerable<float>().ToArray();
    }

    /// <inheritdoc/>
    public void Dispose() => _session.Dispose();
}

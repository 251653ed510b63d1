using System;

namespace KernelGen;

/// <summary>
/// The learned weights of a <see cref="MultiHeadAttention"/> layer. Matrices are row-major <c>[in, out]</c>, as ONNX
/// and PyTorch exports hand them to MatMul (the transpose of <c>torch.nn.Linear.weight</c>).
/// </summary>
/// <param name="QueryWeight"><c>[modelDim, Heads · HeadDim]</c>.</param>
/// <param name="QueryBias"><c>[Heads · HeadDim]</c>.</param>
/// <param name="KeyWeight"><c>[modelDim, KvHeads · HeadDim]</c>.</param>
/// <param name="KeyBias"><c>[KvHeads · HeadDim]</c>.</param>
/// <param name="ValueWeight"><c>[modelDim, KvHeads · HeadDim]</c>.</param>
/// <param name="ValueBias"><c>[KvHeads · HeadDim]</c>.</param>
/// <param name="OutputWeight"><c>[Heads · HeadDim, modelDim]</c>.</param>
/// <param name="OutputBias"><c>[modelDim]</c>.</param>
public sealed record AttentionProjections(
    float[] QueryWeight, float[] QueryBias,
    float[] KeyWeight, float[] KeyBias,
    float[] ValueWeight, float[] ValueBias,
    float[] OutputWeight, float[] OutputBias)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first array whose length does not fit.</summary>
    /// <param name="config">The attention the projections feed.</param>
    /// <param name="modelDim">Width of the layer's input and output rows.</param>
    /// <param name="paramName">The caller's name for these projections.</param>
    public void Validate(AttentionConfig config, int modelDim, string paramName)
    {
        int queryWidth = config.Heads * config.HeadDim, keyWidth = config.ResolvedKvHeads * config.HeadDim;
        Require(QueryWeight, (long)modelDim * queryWidth, nameof(QueryWeight), $"modelDim × Heads · HeadDim = {modelDim} × {queryWidth}");
        Require(QueryBias, queryWidth, nameof(QueryBias), $"Heads · HeadDim = {queryWidth}");
        Require(KeyWeight, (long)modelDim * keyWidth, nameof(KeyWeight), $"modelDim × KvHeads · HeadDim = {modelDim} × {keyWidth}");
        Require(KeyBias, keyWidth, nameof(KeyBias), $"KvHeads · HeadDim = {keyWidth}");
        Require(ValueWeight, (long)modelDim * keyWidth, nameof(ValueWeight), $"modelDim × KvHeads · HeadDim = {modelDim} × {keyWidth}");
        Require(ValueBias, keyWidth, nameof(ValueBias), $"KvHeads · HeadDim = {keyWidth}");
        Require(OutputWeight, (long)queryWidth * modelDim, nameof(OutputWeight), $"Heads · HeadDim × modelDim = {queryWidth} × {modelDim}");
        Require(OutputBias, modelDim, nameof(OutputBias), $"modelDim = {modelDim}");

        void Require(float[] array, long expected, string name, string what)
        {
            if (array is null || array.Length != expected)
                throw new ArgumentException($"{name} must hold {what} = {expected} floats, but holds {array?.Length ?? 0}.", paramName);
        }
    }
}

using System.Collections.Generic;

namespace KernelGen.MiniLM;

/// <summary>The weights of one encoder layer of all-MiniLM-L6-v2 (BERT, post-LayerNorm).</summary>
/// <param name="Attention">Q, K, V and output projections of the self-attention.</param>
/// <param name="AttentionNormScale">LayerNorm γ after the attention's residual sum.</param>
/// <param name="AttentionNormShift">LayerNorm β after the attention's residual sum.</param>
/// <param name="IntermediateWeight">First feed-forward projection, [hidden, intermediate].</param>
/// <param name="IntermediateBias">Its bias, [intermediate].</param>
/// <param name="OutputWeight">Second feed-forward projection, [intermediate, hidden].</param>
/// <param name="OutputBias">Its bias, [hidden].</param>
/// <param name="OutputNormScale">LayerNorm γ after the feed-forward residual sum.</param>
/// <param name="OutputNormShift">LayerNorm β after the feed-forward residual sum.</param>
public sealed record EncoderLayerWeights(
    AttentionProjections Attention, float[] AttentionNormScale, float[] AttentionNormShift,
    float[] IntermediateWeight, float[] IntermediateBias, float[] OutputWeight, float[] OutputBias,
    float[] OutputNormScale, float[] OutputNormShift);

/// <summary>Every weight of all-MiniLM-L6-v2, read by name from its ONNX graph.</summary>
/// <param name="WordEmbeddings">[vocabulary, hidden].</param>
/// <param name="PositionEmbeddings">[maxPositions, hidden].</param>
/// <param name="TokenTypeEmbeddings">[2, hidden].</param>
/// <param name="EmbeddingNormScale">LayerNorm γ of the embeddings.</param>
/// <param name="EmbeddingNormShift">LayerNorm β of the embeddings.</param>
/// <param name="Layers">The encoder layers, first to last.</param>
public sealed record MiniLMWeights(
    float[] WordEmbeddings, float[] PositionEmbeddings, float[] TokenTypeEmbeddings,
    float[] EmbeddingNormScale, float[] EmbeddingNormShift, IReadOnlyList<EncoderLayerWeights> Layers)
{
    /// <summary>Width of every token vector.</summary>
    public const int Hidden = 384;

    /// <summary>Width of the feed-forward layer.</summary>
    public const int Intermediate = 1536;

    /// <summary>Rows of the word-embedding table.</summary>
    public const int Vocabulary = 30522;

    /// <summary>Rows of the position-embedding table: the longest input.</summary>
    public const int MaxPositions = 512;

    /// <summary>Reads the embeddings and as many encoder layers as the graph has.</summary>
    public static MiniLMWeights Read(OnnxInitializers tensors)
    {
        var layers = new List<EncoderLayerWeights>();
        for (int n = 0; tensors.Contains($"encoder.layer.{n}.attention.self.query.bias"); n++)
        {
            string p = $"encoder.layer.{n}.";
            layers.Add(new EncoderLayerWeights(
                new AttentionProjections(
                    tensors.Get(p + "attention.self.query.weight", Hidden, Hidden), tensors.Get(p + "attention.self.query.bias", Hidden),
                    tensors.Get(p + "attention.self.key.weight", Hidden, Hidden), tensors.Get(p + "attention.self.key.bias", Hidden),
                    tensors.Get(p + "attention.self.value.weight", Hidden, Hidden), tensors.Get(p + "attention.self.value.bias", Hidden),
                    tensors.Get(p + "attention.output.dense.weight", Hidden, Hidden), tensors.Get(p + "attention.output.dense.bias", Hidden)),
                tensors.Get(p + "attention.output.LayerNorm.weight", Hidden), tensors.Get(p + "attention.output.LayerNorm.bias", Hidden),
                tensors.Get(p + "intermediate.dense.weight", Hidden, Intermediate), tensors.Get(p + "intermediate.dense.bias", Intermediate),
                tensors.Get(p + "output.dense.weight", Intermediate, Hidden), tensors.Get(p + "output.dense.bias", Hidden),
                tensors.Get(p + "output.LayerNorm.weight", Hidden), tensors.Get(p + "output.LayerNorm.bias", Hidden)));
        }
        return new MiniLMWeights(
            tensors.Get("embeddings.word_embeddings.weight", Vocabulary, Hidden),
            tensors.Get("embeddings.position_embeddings.weight", MaxPositions, Hidden),
            tensors.Get("embeddings.token_type_embeddings.weight", 2, Hidden),
            tensors.Get("embeddings.LayerNorm.weight", Hidden), tensors.Get("embeddings.LayerNorm.bias", Hidden),
            layers);
    }
}

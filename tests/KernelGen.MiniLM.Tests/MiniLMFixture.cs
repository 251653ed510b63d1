using System;
using KernelGen.MiniLM;
using Xunit;

namespace KernelGen.MiniLM.Tests;

/// <summary>The model, tokenizer, KernelGen encoder and ONNX Runtime session, loaded once for every test that needs them.</summary>
public sealed class MiniLMFixture : IDisposable
{
    public MiniLMFixture()
    {
        byte[] model = MiniLMResources.ReadModelBytes();
        Weights = MiniLMWeights.Read(new OnnxInitializers(MiniLMResources.ParseModel(model).Graph));
        Tokenizer = new MiniLMTokenizer();
        Encoder = new MiniLMEncoder(Weights, MiniLMAttention.Kernel.Instance);
        Ort = new OrtMiniLM(model, Environment.ProcessorCount);
    }

    public MiniLMWeights Weights { get; }
    public MiniLMTokenizer Tokenizer { get; }
    public MiniLMEncoder Encoder { get; }
    public OrtMiniLM Ort { get; }

    public void Dispose() => Ort.Dispose();
}

/// <summary>Test classes in this collection share one <see cref="MiniLMFixture"/> (and so never run at the same time:
/// the encoder's scratch buffers are not for two calls at once).</summary>
[CollectionDefinition(Name)]
public sealed class MiniLMCollection : ICollectionFixture<MiniLMFixture>
{
    public const string Name = "MiniLM";
}

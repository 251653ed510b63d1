using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using KernelGen.MiniLM;

namespace KernelGen.Demo;

/// <summary>
/// all-MiniLM-L6-v2 on KernelGen beside the original model on ONNX Runtime: agreement of last_hidden_state and of
/// sentence embeddings, a sentence-similarity table, the time of one batch, and the model's attention maps.
/// </summary>
internal sealed class MiniLMReport : IDisposable
{
    /// <summary>Agreement bounds: fp32 through 6 layers in a different order of sums stays within a few 1e-6.</summary>
    public const double MaxHiddenStateError = 1e-4, MinCosine = 0.99999;

    private const int HeatmapLayer = 2, VariantHead = 11, MaxHeatmapTokens = 40;

    private static readonly string[] CheckSentences =
    [
        "A man is playing a guitar.",
        "Attention weights can be looked at, and a kernel library is trusted when a real model runs on it.",
        "Hello!",
    ];

    private static readonly (string, string)[] SimilarityPairs =
    [
        ("A man is playing a guitar.", "Someone is playing an instrument."),
        ("A man is playing a guitar.", "The stock market fell sharply today."),
        ("The cat sits on the mat.", "A kitten is lying on a rug."),
        ("How do I bake bread at home?", "What is a good recipe for a homemade loaf?"),
        ("How do I bake bread at home?", "The train to Paris leaves at noon."),
    ];

    private readonly MiniLMTokenizer _tokenizer;
    private readonly MiniLMEncoder _encoder;
    private readonly OrtMiniLM _ort;
    private readonly int _threads;

    public MiniLMReport(int threads)
    {
        _threads = threads;
        (_tokenizer, _encoder, _ort) = Progress.Step("loading all-MiniLM-L6-v2 (91 MB ONNX graph) and ONNX Runtime", () =>
        {
            byte[] model = MiniLMResources.ReadModelBytes();
            MiniLMWeights weights = MiniLMWeights.Read(new OnnxInitializers(MiniLMResources.ParseModel(model).Graph));
            return (new MiniLMTokenizer(), new MiniLMEncoder(weights, MiniLMAttention.Kernel.Instance), new OrtMiniLM(model, threads));
        });
    }

    /// <summary>Prints max |Δ| and the lowest cosine for each sentence alone and for the padded batch; true when all agree.</summary>
    public bool CheckAgainstOnnxRuntime()
    {
        Console.WriteLine($"{"input",-52} {"tokens",8} {"max |Δ| last_hidden_state",26} {"min cosine",12}");
        Console.WriteLine(new string('-', 101));
        bool agree = true;
        foreach (string sentence in CheckSentences)
            agree &= Compare(Quote(sentence, 50), [sentence]);
        agree &= Compare($"padded batch of the {CheckSentences.Length} sentences", CheckSentences);
        Console.WriteLine();
        Console.WriteLine(agree
            ? $"KernelGen's encoder matches ONNX Runtime (max |Δ| ≤ {MaxHiddenStateError:0e0}, cosine ≥ {MinCosine})"
            : "KERNELGEN'S ENCODER DISAGREES WITH ONNX RUNTIME");
        return agree;
    }

    /// <summary>Prints the cosine similarity of a few sentence pairs by both engines.</summary>
    public void PrintSimilarities()
    {
        Console.WriteLine($"{"sentence A",-30} {"sentence B",-44} {"KernelGen",10} {"ORT",10}");
        Console.WriteLine(new string('-', 97));
        foreach ((string a, string b) in SimilarityPairs)
        {
            TokenBatch tokens = _tokenizer.Encode([a, b]);
            float[] ours = SentencePooling.MeanPoolNormalized(_encoder.Forward(tokens), tokens, MiniLMWeights.Hidden);
            float[] theirs = SentencePooling.MeanPoolNormalized(_ort.LastHiddenState(tokens), tokens, MiniLMWeights.Hidden);
            Console.WriteLine($"{Quote(a, 28),-30} {Quote(b, 42),-44} {Similarity(ours),10:F4} {Similarity(theirs),10:F4}");
        }
    }

    /// <summary>Times one batch on both engines: the best of up to 3 runs each (fewer when a run is slow).</summary>
    public void Time(int batch, int tokens)
    {
        var texts = Enumerable.Range(0, batch).Select(LongText).ToArray();
        TokenBatch input = _tokenizer.Encode(texts, tokens, padToMax: true);
        TokenBatch warmUp = _tokenizer.Encode(texts[..2], 16, padToMax: true);
        var hidden = new float[batch * tokens * MiniLMWeights.Hidden];
        _encoder.Forward(warmUp);
        _ort.LastHiddenState(warmUp);
        (double ours, int ourRuns) = Progress.Step($"KernelGen encoder, {batch} × {tokens} tokens", () => Best(() => _encoder.Forward(input, hidden)));
        (double theirs, int theirRuns) = Progress.Step($"ONNX Runtime, {batch} × {tokens} tokens", () => Best(() => _ort.LastHiddenState(input)));
        (double attention, int attentionRuns) = TimeAttentionKernels(batch, tokens);
        Console.WriteLine();
        Console.WriteLine($"{"engine",-34} {"threads",8} {"batch",12} {"time (ms)",10} {"runs",5}");
        Console.WriteLine(new string('-', 73));
        Console.WriteLine($"{"KernelGen (MultiHeadAttention)",-34} {_threads,8} {$"{batch} × {tokens}",12} {ours,10:F1} {ourRuns,5}");
        Console.WriteLine($"{"ONNX Runtime 1.31.1",-34} {_threads,8} {$"{batch} × {tokens}",12} {theirs,10:F1} {theirRuns,5}");
        Console.WriteLine($"{"  of KernelGen: attention kernels",-34} {_threads,8} {$"{batch} × {tokens}",12} {attention,10:F1} {attentionRuns,5}");
        Console.WriteLine($"KernelGen / ONNX Runtime time: {ours / theirs:F2}×");
    }

    /// <summary>Writes the heatmaps for <paramref name="text"/> into <paramref name="folder"/> and returns their paths.</summary>
    public IReadOnlyList<string> DrawAttention(string text, string folder)
    {
        TokenBatch tokens = _tokenizer.Encode([text], MaxHeatmapTokens);
        string[] labels = _tokenizer.TokenStrings(tokens, 0);
        if (tokens.Lengths[0] == MaxHeatmapTokens)
            Console.WriteLine($"  (the text is cut to {MaxHeatmapTokens} tokens so the labels stay readable)");
        string heads = Path.Combine(folder, $"minilm-layer{HeatmapLayer}-heads.png");
        string variants = Path.Combine(folder, $"minilm-layer{HeatmapLayer}-head{VariantHead}-variants.png");
        Progress.Step($"drawing the 12 heads of layer {HeatmapLayer}", () => AttentionHeatmaps.Write(heads,
            $"all-MiniLM-L6-v2 on KernelGen: the 12 attention heads of layer {HeatmapLayer} (rows: queries, columns: keys)",
            labels, AttentionMaps.Heads(_encoder, tokens, HeatmapLayer), columns: 4));
        Progress.Step($"drawing layer {HeatmapLayer}, head {VariantHead} through the variants", () => AttentionHeatmaps.Write(variants,
            $"Layer {HeatmapLayer}, head {VariantHead}: the same queries and keys through four attention variants",
            labels, AttentionMaps.CompareVariants(_encoder, tokens, HeatmapLayer, VariantHead), columns: 4));
        return [heads, variants];
    }

    public void Dispose() => _ort.Dispose();

    /// <summary>The encoder's share spent in attention itself: the kernel once per layer on this batch's shape.</summary>
    private (double Milliseconds, int Runs) TimeAttentionKernels(int batch, int tokens)
    {
        IAttentionKernel kernel = _encoder.Attention[0].Kernel;
        AttentionConfig config = kernel.Config;
        var random = new Random(1);
        float[] q = Enumerable.Range(0, batch * config.Heads * tokens * config.HeadDim).Select(_ => (float)random.NextDouble() * 2 - 1).ToArray();
        var output = new float[q.Length];
        kernel.Forward(q, q, q, output, batch, tokens, tokens);
        return Best(() =>
        {
            for (int layer = 0; layer < _encoder.Attention.Count; layer++)
                kernel.Forward(q, q, q, output, batch, tokens, tokens);
        });
    }

    private bool Compare(string label, IReadOnlyList<string> sentences)
    {
        TokenBatch tokens = _tokenizer.Encode(sentences);
        float[] ours = _encoder.Forward(tokens), theirs = _ort.LastHiddenState(tokens);
        double maxError = 0;
        for (int b = 0; b < tokens.Batch; b++)
        {
            for (int i = b * tokens.SequenceLength * MiniLMWeights.Hidden; i < (b * tokens.SequenceLength + tokens.Lengths[b]) * MiniLMWeights.Hidden; i++)
                maxError = Math.Max(maxError, Math.Abs(ours[i] - theirs[i]));
        }
        float[] ourEmbeddings = SentencePooling.MeanPoolNormalized(ours, tokens, MiniLMWeights.Hidden);
        float[] theirEmbeddings = SentencePooling.MeanPoolNormalized(theirs, tokens, MiniLMWeights.Hidden);
        double minCosine = Enumerable.Range(0, tokens.Batch).Min(b => SentencePooling.Cosine(
            ourEmbeddings.AsSpan(b * MiniLMWeights.Hidden, MiniLMWeights.Hidden), theirEmbeddings.AsSpan(b * MiniLMWeights.Hidden, MiniLMWeights.Hidden)));
        string tokenCounts = string.Join("/", tokens.Lengths);
        Console.WriteLine($"{label,-52} {tokenCounts,8} {maxError,26:0.0e+0} {minCosine,12:F7}");
        return maxError <= MaxHiddenStateError && minCosine >= MinCosine;
    }

    private static double Similarity(float[] pair)
        => SentencePooling.Cosine(pair.AsSpan(0, MiniLMWeights.Hidden), pair.AsSpan(MiniLMWeights.Hidden, MiniLMWeights.Hidden));

    private static (double Milliseconds, int Runs) Best(Action run)
    {
        double best = double.MaxValue;
        var total = Stopwatch.StartNew();
        int runs = 0;
        do
        {
            var clock = Stopwatch.StartNew();
            run();
            best = Math.Min(best, clock.Elapsed.TotalMilliseconds);
            runs++;
        }
        while (runs < 3 && total.Elapsed.TotalSeconds < 10);
        return (best, runs);
    }

    // Distinct sentences, each long enough to fill the batch's token count before it is cut.
    private static string LongText(int i)
        => string.Join(" ", Enumerable.Range(0, 40).Select(j => $"Sentence {i} clause {j} says that attention kernels are compiled ahead of time."));

    private static string Quote(string text, int width) => text.Length <= width ? text : text[..(width - 1)] + "…";
}

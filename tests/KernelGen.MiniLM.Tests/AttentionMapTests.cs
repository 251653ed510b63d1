using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using SkiaSharp;
using Xunit;

namespace KernelGen.MiniLM.Tests;

/// <summary>The real model's attention maps: what the weights say, and that the PNGs are drawn.</summary>
[Collection(MiniLMCollection.Name)]
public class AttentionMapTests(MiniLMFixture model) : IDisposable
{
    private const string Sentence = "The animal didn't cross the street because it was too tired.";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"kernelgen-maps-{Guid.NewGuid():N}");

    [Fact]
    public void Every_head_row_is_a_distribution_and_the_variants_mask_what_they_should()
    {
        TokenBatch tokens = model.Tokenizer.Encode([Sentence]);
        int n = tokens.Lengths[0];
        IReadOnlyList<AttentionPanel> heads = AttentionMaps.Heads(model.Encoder, tokens, layer: 2);
        IReadOnlyList<AttentionPanel> variants = AttentionMaps.CompareVariants(model.Encoder, tokens, layer: 2, head: 11);

        Assert.Equal(12, heads.Count);
        Assert.Equal(4, variants.Count);
        foreach (AttentionPanel panel in heads.Concat(variants))
        {
            for (int i = 0; i < n; i++)
            {
                double sum = panel.Weights.AsSpan(i * n, n).ToArray().Sum(w => (double)w);
                Assert.True(Math.Abs(sum - 1) <= 1e-5, $"{panel.Title}: row {i} sums to {sum:R}"); // float rounding of ≤ 40 weights; linear ε/Σ ≤ 1e-6
                Assert.True(panel.Weights.AsSpan(i * n, n).ToArray().All(w => w >= 0));
            }
        }
        // The model's own head 11 is the first variant: the same weights by both routes.
        Assert.Equal(heads[11].Weights, variants[0].Weights);
        int window = AttentionMaps.Variants[2].Config.Window;
        for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
        {
            Assert.True(j <= i || variants[1].Weights[i * n + j] == 0, $"causal: query {i} must not see key {j}");
            Assert.True(Math.Abs(i - j) < window || variants[2].Weights[i * n + j] == 0, $"window: query {i} must not see key {j}");
            Assert.True(variants[3].Weights[i * n + j] > 0, "linear attention weighs every key");
        }
    }

    [Fact]
    public void The_heatmaps_are_written_as_pngs_of_their_size_with_something_drawn()
    {
        TokenBatch tokens = model.Tokenizer.Encode([Sentence]);
        string[] labels = model.Tokenizer.TokenStrings(tokens, 0);
        string headsPath = Path.Combine(_folder, "heads.png"), variantsPath = Path.Combine(_folder, "variants.png");

        (int Width, int Height) headsSize = AttentionHeatmaps.Write(headsPath, "heads", labels, AttentionMaps.Heads(model.Encoder, tokens, 2), 4);
        (int Width, int Height) variantsSize = AttentionHeatmaps.Write(variantsPath, "variants", labels, AttentionMaps.CompareVariants(model.Encoder, tokens, 2, 11), 4);

        AssertDrawn(headsPath, headsSize);
        AssertDrawn(variantsPath, variantsSize);
        Assert.True(headsSize.Height > variantsSize.Height, "12 panels take three rows, 4 panels one");
    }

    /// <summary>The PNG decodes at the size reported, and is not blank: heatmaps cover much of it in many colours.</summary>
    internal static void AssertDrawn(string path, (int Width, int Height) size)
    {
        using SKBitmap bitmap = SKBitmap.Decode(path);
        Assert.NotNull(bitmap);
        Assert.Equal(size, (bitmap.Width, bitmap.Height));
        var colors = new HashSet<uint>();
        long coloured = 0;
        for (int y = 0; y < bitmap.Height; y += 2)
        for (int x = 0; x < bitmap.Width; x += 2)
        {
            SKColor c = bitmap.GetPixel(x, y);
            colors.Add((uint)c);
            if (c.Red < 200 || c.Green < 200 || c.Blue < 200)
                coloured++;
        }
        double fraction = coloured / (bitmap.Width / 2.0 * (bitmap.Height / 2.0));
        // Heatmap cells fill ~40% of each panel; labels and frames add dark pixels. Blank or one-colour images fail.
        Assert.True(fraction > 0.2, $"{path}: only {fraction:P0} of the pixels are not near-white");
        Assert.True(colors.Count > 100, $"{path}: only {colors.Count} distinct colours");
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
            Directory.Delete(_folder, recursive: true);
    }
}

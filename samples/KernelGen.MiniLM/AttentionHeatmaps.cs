using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ScottPlot;
using SkiaSharp;

namespace KernelGen.MiniLM;

/// <summary>One heatmap: a square matrix of attention weights (query rows × keys) and its caption.</summary>
/// <param name="Title">Caption above the panel.</param>
/// <param name="Weights">[tokens, tokens] weights, row-major: row i holds query i's weight on every key.</param>
public sealed record AttentionPanel(string Title, float[] Weights);

/// <summary>
/// Draws attention weights as heatmaps with ScottPlot (rendered by Skia, headless): panels in a grid, each with the
/// tokens on both axes — queries down the left, keys along the bottom — in one PNG.
/// </summary>
public static class AttentionHeatmaps
{
    private const int PanelPixels = 420;

    /// <summary>Writes <paramref name="panels"/> into a PNG at <paramref name="path"/>, <paramref name="columns"/> to a row.</summary>
    /// <param name="path">The PNG to write; its folder is created.</param>
    /// <param name="title">Heading over the grid.</param>
    /// <param name="tokens">The token strings, one per row and column of every panel.</param>
    /// <param name="panels">The panels, each tokens.Count × tokens.Count.</param>
    /// <param name="columns">Panels per row.</param>
    /// <returns>The image's width and height in pixels.</returns>
    public static (int Width, int Height) Write(string path, string title, IReadOnlyList<string> tokens,
        IReadOnlyList<AttentionPanel> panels, int columns)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(panels);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        int n = tokens.Count;
        foreach (AttentionPanel panel in panels)
        {
            if (panel.Weights.Length != n * n)
                throw new ArgumentException($"Panel '{panel.Title}' must hold tokens × tokens = {n * n} weights, but holds {panel.Weights.Length}.", nameof(panels));
        }

        const int HeadingPixels = 40;
        int rows = (panels.Count + columns - 1) / columns;
        int width = columns * PanelPixels, height = HeadingPixels + rows * PanelPixels;
        using var surface = SKSurface.Create(new SKImageInfo(width, height));
        SKCanvas canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using (var font = new SKFont(SKTypeface.Default, 22))
        using (var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true })
            canvas.DrawText(title, width / 2f, 28, SKTextAlign.Center, font, paint);

        for (int p = 0; p < panels.Count; p++)
        {
            float left = p % columns * PanelPixels, top = HeadingPixels + p / columns * PanelPixels;
            // Each plot paints its whole surface, background included: render it alone, then place it.
            using var panelSurface = SKSurface.Create(new SKImageInfo(PanelPixels, PanelPixels));
            PanelPlot(panels[p], tokens).Render(panelSurface);
            using SKImage panelImage = panelSurface.Snapshot();
            canvas.DrawImage(panelImage, left, top);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using SKImage image = surface.Snapshot();
        using SKData png = image.Encode(SKEncodedImageFormat.Png, 100);
        using FileStream file = File.Create(path);
        png.SaveTo(file);
        return (width, height);
    }

    private static Plot PanelPlot(AttentionPanel panel, IReadOnlyList<string> tokens)
    {
        int n = tokens.Count;
        var intensities = new double[n, n];
        for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            intensities[i, j] = panel.Weights[i * n + j];

        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(intensities);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        // Cell centres on whole numbers: column j at x = j; row 0 is drawn at the top, so row i sits at y = n − 1 − i.
        heatmap.Extent = new CoordinateRect(-0.5, n - 0.5, -0.5, n - 0.5);

        double[] positions = Enumerable.Range(0, n).Select(i => (double)i).ToArray();
        string[] labels = tokens.ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, labels);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions.Select(y => n - 1 - y).ToArray(), labels);
        plot.Axes.Bottom.TickLabelStyle.Rotation = 90;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        float fontSize = n > 24 ? 7 : 10;
        plot.Axes.Bottom.TickLabelStyle.FontSize = fontSize;
        plot.Axes.Left.TickLabelStyle.FontSize = fontSize;
        // The layout does not measure rotated labels: reserve room for the longest token under the panel.
        plot.Axes.Bottom.MinimumSize = 8 + 0.65f * fontSize * tokens.Max(token => token.Length);
        plot.Axes.SetLimits(-0.5, n - 0.5, -0.5, n - 0.5);
        plot.Grid.IsVisible = false;
        plot.Title(panel.Title, size: 13);
        return plot;
    }
}

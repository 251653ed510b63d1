using System;

namespace KernelGen;

/// <summary>
/// The rules and defaults of an attention configuration, in one place. This file is compiled into both the runtime
/// (which throws <see cref="ArgumentException"/> on a bad run-time configuration) and the generator (which reports
/// a compile-time diagnostic), so the two can never disagree.
/// </summary>
internal static class AttentionRules
{
    public const int MinHeadDim = 8;
    public const int MaxHeadDim = 256;
    public const int HeadDimMultiple = 8;
    public const int MinTile = 8;
    public const int MaxTile = 256;

    /// <summary>Default flash tile: 64×64 keeps a tile's scores and accumulators in L1/L2 for every head dim.</summary>
    public const int DefaultTile = 64;

    /// <summary>The ε of linear attention's denominator, φ(q)·Σφ(k) + ε.</summary>
    public const float LinearEpsilon = 1e-6f;

    public static bool IsValidHeadDim(int headDim)
        => headDim >= MinHeadDim && headDim <= MaxHeadDim && headDim % HeadDimMultiple == 0;

    /// <summary>0 (the generator's choice) or a power of two in [<see cref="MinTile"/>, <see cref="MaxTile"/>].</summary>
    public static bool IsValidTile(int tile)
        => tile == 0 || (tile >= MinTile && tile <= MaxTile && (tile & (tile - 1)) == 0);

    /// <summary>0 (the default scale) or a finite positive number.</summary>
    public static bool IsValidScale(double scale)
        => scale == 0 || (scale > 0 && !double.IsInfinity(scale) && !double.IsNaN(scale));

    public static int ResolveKvHeads(int heads, int kvHeads) => kvHeads == 0 ? heads : kvHeads;

    public static double ResolveScale(int headDim, double scale) => scale == 0 ? 1.0 / Math.Sqrt(headDim) : scale;

    public static int ResolveTile(int tile) => tile == 0 ? DefaultTile : tile;
}

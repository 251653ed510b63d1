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

    /// <summary>Default queries per flash tile: 64 rows of scores and accumulators stay in L1/L2 for every head dim.</summary>
    public const int DefaultTileQ = 64;

    /// <summary>
    /// The most bytes the default key tile may take (TileKv · HeadDim floats): the score kernel streams the packed tile
    /// once per block of rows, so it must stay in a 48 KiB L1 beside those rows.
    /// </summary>
    public const int DefaultKeyTileBytes = 32 * 1024;

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

    public static int ResolveTileQ(int tileQ) => tileQ == 0 ? DefaultTileQ : tileQ;

    /// <summary>
    /// The class's key tile, which the 256-bit and scalar paths run (the 512-bit path: <see cref="ResolveTileKv512"/>).
    /// 0 gives 128 keys when the packed tile fits <see cref="DefaultKeyTileBytes"/> (head dim up to 64) and no window
    /// shorter than four such tiles (512 keys) would leave much of each tile masked, else 64. A wider tile halves the
    /// per-tile softmax bookkeeping (row maximum, rescale of the accumulators). Measured on one Zen 5 core, 128 keys against
    /// 64: at N = 4096, 2–12% faster at head dim 64 (full and causal) and 7–8% at 32, but 9–20% slower at head dim
    /// 128, where the 64 KiB tile no longer fits L1; at N = 8192, head dim 64, windows of 32, 128 and 256 were 5–10%
    /// slower (more of each tile masked) and 512 the same.
    /// </summary>
    public static int ResolveTileKv(int tileKv, int headDim, int window)
    {
        if (tileKv != 0)
            return tileKv;
        const int wide = 128, narrow = 64;
        bool fits = DefaultKeyTileBytes / (headDim * sizeof(float)) >= wide;
        bool windowSpansTiles = window == 0 || window >= 4 * wide;
        return fits && windowSpansTiles ? wide : narrow;
    }

    /// <summary>
    /// Keys per tile on the 512-bit path when the attribute leaves TileKv at 0: 64 at every head dim. A 64-key row is one
    /// register block of the score kernel, which then runs each row block's softmax among the next row block's FMAs.
    /// Measured on one Zen 5 core against 128 keys (<see cref="ResolveTileKv"/>'s choice up to head dim 64), one process,
    /// alternating: at N = 4096, head dim 64 full +1–4%, causal +2–3% (two more pairs, in a slow phase of the machine,
    /// −2%), head dim 32 +5–13%; N = 16384 with a window of 512 +2–5%; N = 1024, head dim 64, full the same and causal
    /// +2%; N = 128 2–4% slower at head dim 64, the same at 32. The 256-bit path keeps 128: without the overlap (16
    /// registers), 64 keys measured 9–13% slower there at head dim 64.
    /// </summary>
    public const int DefaultTileKv512 = 64;

    public static int ResolveTileKv512(int tileKv) => tileKv == 0 ? DefaultTileKv512 : tileKv;
}

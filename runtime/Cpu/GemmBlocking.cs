using System;
using System.Runtime.CompilerServices;

namespace KernelGen;

/// <summary>
/// The Goto/BLIS loop nest around <see cref="GemmMicroKernel{TWidth, TVector}"/> for one vector width. B is packed
/// once per call into column panels (one phase of pieces); C is then cut into blocks of <see cref="BlockRows"/> rows ×
/// <see cref="BlockColumns"/> columns (the second phase), each computed by one thread: for each depth slice of
/// <see cref="DepthSlice"/> it runs the micro-kernel over every (panel, sliver of 6 A rows, read in place) with the
/// panel's slice (L1-resident) outermost. The cut is fixed, never derived from the thread
/// count, and every C element is summed over p in the same order (slice by slice, one multiply-add per p), so the
/// result is bitwise identical for any number of threads.
/// </summary>
internal static unsafe class GemmBlocking<TWidth, TVector>
    where TWidth : struct, ISimdWidth<TVector>
    where TVector : struct
{
    private const int SliverRows = GemmMicroKernel<TWidth, TVector>.Rows;

    /// <summary>Depth per pass: a B panel slice of 128 × 64 floats (32 KiB) stays in the 48 KiB L1 across slivers.</summary>
    public const int DepthSlice = 128;

    /// <summary>
    /// Rows per block: 32 slivers, so each panel slice brought into L1 feeds 32 tiles (B is re-read from L3 once per
    /// block when k is large); the block's slice of A is 96 KiB, well inside L2.
    /// </summary>
    public const int BlockRows = 32 * SliverRows;

    /// <summary>
    /// Columns per block when A is short (4 Vector512 panels), so that its few row blocks still split across threads.
    /// With at least <see cref="RowBlocksForWholeWidth"/> row blocks there is enough to share by rows alone, and a block
    /// spans every panel: its A rows are then packed once per depth slice rather than once per 256 columns.
    /// </summary>
    public const int BlockColumns = 256;

    /// <summary>Row blocks from which a block spans the whole width of C (see <see cref="BlockColumns"/>).</summary>
    public const int RowBlocksForWholeWidth = 8;

    private static int PanelWidth => GemmMicroKernel<TWidth, TVector>.Columns;

    /// <summary>C = A·B + bias, with B packed into this thread's scratch first.</summary>
    public static void Multiply(float* a, float* b, float* c, int m, int k, int n, ReadOnlySpan<float> bias)
    {
        float* packed = GemmScratch.PackedB(PackedLength(k, n));
        Pack(b, k, n, bias, packed);
        MultiplyPacked(a, packed, c, m, k, n);
    }

    /// <summary>Floats that <see cref="Pack"/> writes for a k × n matrix: whole panels of k rows, then the padded bias.</summary>
    public static long PackedLength(int k, int n)
    {
        long panelFloats = (long)Panels(n) * PanelWidth;
        return panelFloats * k + panelFloats;
    }

    /// <summary>B into column panels and the bias (zeros where empty) padded to whole panels, at <paramref name="target"/>.</summary>
    public static void Pack(float* b, int k, int n, ReadOnlySpan<float> bias, float* target)
    {
        var call = new GemmCall { B = b, K = k, N = n, PackedB = target, Panels = Panels(n) };
        Span<float> paddedBias = new(call.PaddedBias(PanelWidth), call.Panels * PanelWidth);
        paddedBias.Clear();
        bias.CopyTo(paddedBias);
        AttentionWorkers.Run(&PackPanel, &call, call.Panels);
    }

    /// <summary>C = A·B + bias with B and the bias already packed by <see cref="Pack"/>.</summary>
    public static void MultiplyPacked(float* a, float* packedB, float* c, int m, int k, int n)
    {
        var call = new GemmCall { A = a, C = c, M = m, K = k, N = n, PackedB = packedB, Panels = Panels(n) };
        call.RowBlocks = (m + BlockRows - 1) / BlockRows;
        // Which thread computes a column never changes its sums, so this choice keeps results bitwise identical.
        call.PanelsPerBlock = call.RowBlocks >= RowBlocksForWholeWidth ? call.Panels : Math.Max(1, BlockColumns / PanelWidth);
        int columnBlocks = (call.Panels + call.PanelsPerBlock - 1) / call.PanelsPerBlock;
        AttentionWorkers.Run(&MultiplyBlock, &call, call.RowBlocks * columnBlocks);
    }

    private static int Panels(int n) => (n + PanelWidth - 1) / PanelWidth;

    /// <summary>Copies B's columns of panel <paramref name="panel"/> into k rows of the panel width, zero-padded past n.</summary>
    private static void PackPanel(void* state, int panel)
    {
        ref GemmCall call = ref *(GemmCall*)state;
        int width = PanelWidth, first = panel * width, columns = Math.Min(width, call.N - first);
        float* target = call.PackedB + (long)panel * width * call.K;
        for (int p = 0; p < call.K; p++, target += width)
        {
            new ReadOnlySpan<float>(call.B + (long)p * call.N + first, columns).CopyTo(new Span<float>(target, columns));
            new Span<float>(target + columns, width - columns).Clear();
        }
    }

    private static void MultiplyBlock(void* state, int item)
    {
        ref GemmCall call = ref *(GemmCall*)state;
        int width = PanelWidth;
        int firstRow = item % call.RowBlocks * BlockRows, rows = Math.Min(BlockRows, call.M - firstRow);
        int slivers = (rows + SliverRows - 1) / SliverRows;
        int firstPanel = item / call.RowBlocks * call.PanelsPerBlock, endPanel = Math.Min(call.Panels, firstPanel + call.PanelsPerBlock);
        float* edgeTile = stackalloc float[SliverRows * 4 * 16];
        // A's rows are read where they lie; only a last sliver with fewer than SliverRows rows is copied, zero-padded,
        // so that the kernel never reads past A.
        float* edgeRows = stackalloc float[SliverRows * DepthSlice];
        int lastSliverRows = rows - (slivers - 1) * SliverRows;
        float* paddedBias = call.PaddedBias(width);

        // k = 0 still takes one (empty) slice, so that C receives the bias.
        for (int p0 = 0; p0 == 0 || p0 < call.K; p0 += DepthSlice)
        {
            int depth = Math.Min(DepthSlice, call.K - p0);
            if (lastSliverRows < SliverRows)
                CopyEdgeRows(ref call, firstRow + (slivers - 1) * SliverRows, lastSliverRows, p0, depth, edgeRows);
            for (int panel = firstPanel; panel < endPanel; panel++)
            {
                float* panelSlice = call.PackedB + (long)panel * width * call.K + (long)p0 * width;
                float* initial = p0 == 0 ? paddedBias + panel * width : null;
                int firstColumn = panel * width, columns = Math.Min(width, call.N - firstColumn);
                for (int s = 0; s < slivers; s++)
                {
                    int row = firstRow + s * SliverRows, tileRows = Math.Min(SliverRows, call.M - row);
                    bool wholeSliver = tileRows == SliverRows;
                    float* sliver = wholeSliver ? call.A + (long)row * call.K + p0 : edgeRows;
                    nint stride = wholeSliver ? call.K : DepthSlice;
                    float* tile = call.C + (long)row * call.N + firstColumn;
                    if (wholeSliver && columns == width)
                    {
                        GemmMicroKernel<TWidth, TVector>.Update(sliver, stride, panelSlice, depth, tile, call.N, initial);
                    }
                    else
                    {
                        // An edge tile runs the same kernel on a full-size copy, so its elements get the same sums.
                        if (initial == null)
                            CopyTile(tile, call.N, edgeTile, width, tileRows, columns);
                        GemmMicroKernel<TWidth, TVector>.Update(sliver, stride, panelSlice, depth, edgeTile, width, initial);
                        CopyTile(edgeTile, width, tile, call.N, tileRows, columns);
                    }
                }
            }
        }
    }

    /// <summary>A's rows firstRow … firstRow + rows − 1, columns p0 … p0 + depth − 1, into SliverRows rows of DepthSlice floats, zero below.</summary>
    private static void CopyEdgeRows(ref GemmCall call, int firstRow, int rows, int p0, int depth, float* target)
    {
        for (int r = 0; r < SliverRows; r++)
        {
            var row = new Span<float>(target + r * DepthSlice, DepthSlice);
            if (r < rows)
                new ReadOnlySpan<float>(call.A + (long)(firstRow + r) * call.K + p0, depth).CopyTo(row);
            else
                row.Clear();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyTile(float* source, nint sourceStride, float* target, nint targetStride, int rows, int columns)
    {
        for (int r = 0; r < rows; r++)
            new ReadOnlySpan<float>(source + r * sourceStride, columns).CopyTo(new Span<float>(target + r * targetStride, columns));
    }
}

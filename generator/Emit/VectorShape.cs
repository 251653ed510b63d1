using System;
using KernelGen.Generator.Model;

namespace KernelGen.Generator.Emit;

/// <summary>
/// How one vector width lays out a flash tile: its keys, the register blocks of the score and value micro-kernels and
/// the padded key-tile width. Chosen so the accumulators of a block fit the width's register file (32 registers for
/// 512-bit code, 16 for 256-bit) with room for the operands.
/// </summary>
internal sealed record VectorShape(string Name, int Width, int TileKv, int ScoreRows, int ScoreVectors, int KeyPad, int ValueRows, int ChunkVectors)
{
    public static VectorShape For512(AttentionSpec spec) => Create("Vector512", 16, spec.TileKv512, vectorCap: 4, accumulatorBudget: 16, spec);

    public static VectorShape For256(AttentionSpec spec) => Create("Vector256", 8, spec.TileKv, vectorCap: 2, accumulatorBudget: 8, spec);

    /// <summary>Whether the head dim splits into whole vectors of this width.</summary>
    public static bool Fits(AttentionSpec spec, int width) => spec.HeadDim % width == 0;

    /// <summary>
    /// Whether the score kernel runs each row block's softmax among the next row block's FMAs: only where a row of the
    /// tile is one register block, and with 32 registers. With 16, a row's vectors beside the block's accumulators
    /// spill (256-bit code measured 3–23% slower); with rows of two blocks (128 keys at head dim 64), it measured from
    /// 1% faster to 9% slower.
    /// </summary>
    public bool SoftmaxAmongProducts => Width == 16 && KeyPad == ScoreVectors * Width;

    /// <summary>Query rows a tile is padded to, so both micro-kernels run whole blocks.</summary>
    public int RowBlock => Math.Max(ScoreRows, ValueRows);

    private static VectorShape Create(string name, int width, int tileKv, int vectorCap, int accumulatorBudget, AttentionSpec spec)
    {
        // Both micro-kernels take as many vectors per row as the cap allows and fill the budget with rows: a block
        // of r rows × c vectors costs c loads and r broadcasts per r·c FMAs, and broadcasts are the dearer of the two.
        int scoreVectors = Math.Min(vectorCap, Math.Max(tileKv, width) / width);
        int keyPad = RoundUp(Math.Max(tileKv, width), scoreVectors * width);
        int chunkVectors = Math.Min(spec.HeadDim / width, vectorCap);
        return new VectorShape(name, width, tileKv, RowsFor(scoreVectors, accumulatorBudget), scoreVectors, keyPad,
            RowsFor(chunkVectors, accumulatorBudget), chunkVectors);
    }

    /// <summary>The most rows (a power of two, at most 8, so it divides every TileQ) whose accumulators fit the budget.</summary>
    private static int RowsFor(int vectors, int accumulatorBudget)
    {
        int rows = 1;
        while (rows * 2 * vectors <= accumulatorBudget && rows < 8)
            rows *= 2;
        return rows;
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;
}

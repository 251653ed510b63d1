using System;
using KernelGen.Generator.Model;

namespace KernelGen.Generator.Emit;

/// <summary>
/// How one vector width lays out a flash tile: the register blocks of the score and value micro-kernels and the
/// padded key-tile width. Chosen so the accumulators of a block fit the width's register file (32 registers for
/// 512-bit code, 16 for 256-bit) with room for the operands.
/// </summary>
internal sealed record VectorShape(string Name, int Width, int ScoreRows, int ScoreVectors, int KeyPad, int ValueRows, int ChunkVectors)
{
    public static VectorShape For512(AttentionSpec spec) => Create("Vector512", 16, scoreRows: 8, chunkCap: 8, accumulatorBudget: 16, spec);

    public static VectorShape For256(AttentionSpec spec) => Create("Vector256", 8, scoreRows: 4, chunkCap: 4, accumulatorBudget: 8, spec);

    /// <summary>Whether the head dim splits into whole vectors of this width.</summary>
    public static bool Fits(AttentionSpec spec, int width) => spec.HeadDim % width == 0;

    /// <summary>Query rows a tile is padded to, so both micro-kernels run whole blocks.</summary>
    public int RowBlock => Math.Max(ScoreRows, ValueRows);

    private static VectorShape Create(string name, int width, int scoreRows, int chunkCap, int accumulatorBudget, AttentionSpec spec)
    {
        int scoreVectors = Math.Min(2, Math.Max(spec.TileKv, width) / width);
        int keyPad = RoundUp(Math.Max(spec.TileKv, width), scoreVectors * width);
        int chunkVectors = Math.Min(spec.HeadDim / width, chunkCap);
        int valueRows = 1;
        while (valueRows * 2 * chunkVectors <= accumulatorBudget && valueRows < 8)
            valueRows *= 2;
        return new VectorShape(name, width, scoreRows, scoreVectors, keyPad, valueRows, chunkVectors);
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;
}

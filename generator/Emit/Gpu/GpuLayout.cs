using KernelGen.Generator.Model;

namespace KernelGen.Generator.Emit.Gpu;

/// <summary>
/// How a GPU kernel splits one configuration's work. A group of 64 threads, seen as an 8 × 8 grid, takes
/// <see cref="Tile"/> query rows of one (batch, head) and walks the keys in tiles of as many. For the scores each
/// thread computes a <see cref="RowsPerThread"/> × <see cref="RowsPerThread"/> block (rows and keys strided by 8);
/// for the output it keeps a <see cref="RowsPerThread"/> × <see cref="DimsPerThread"/> block of accumulators in
/// registers. Blocks of that size, read from shared memory as vectors, are what make the kernel arithmetic-bound:
/// each shared-memory read feeds several multiply-adds.
/// </summary>
internal sealed record GpuLayout(int Tile, int HeadDim)
{
    /// <summary>Small groups: the CPU accelerator runs each thread of a group as a thread of its own.</summary>
    public const int ThreadsPerGroup = 64;

    /// <summary>Side of the thread grid: 8 × 8 = <see cref="ThreadsPerGroup"/>.</summary>
    public const int GridSide = 8;

    public int RowsPerThread => Tile / GridSide;

    public int DimsPerThread => HeadDim / GridSide;

    /// <summary>Width of the vectors a thread reads its value dims in: contiguous runs of 4, 2 or 1 dims.</summary>
    public int DimChunk => DimsPerThread % 4 == 0 ? 4 : DimsPerThread % 2 == 0 ? 2 : 1;

    /// <summary>
    /// Tiles of 32 rows and 32 keys while the q and k/v tiles (rows padded by 4 floats) and the weights fit in the
    /// 48 KiB of static shared memory a group may hold (head dims up to 160), else 16.
    /// </summary>
    public static GpuLayout For(AttentionSpec spec) => new(spec.HeadDim <= 160 ? 32 : 16, spec.HeadDim);
}

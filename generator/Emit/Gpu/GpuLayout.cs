using KernelGen.Generator.Model;

namespace KernelGen.Generator.Emit.Gpu;

/// <summary>
/// How a GPU kernel splits one configuration's work: each query row goes to <see cref="Lanes"/> threads holding
/// <see cref="DimsPerLane"/> of its dims each, groups of <see cref="ThreadsPerGroup"/> threads take
/// <see cref="RowsPerGroup"/> rows, and key/value tiles of <see cref="TileKv"/> keys sit in shared memory.
/// </summary>
internal sealed record GpuLayout(int Lanes, int DimsPerLane, int TileKv)
{
    /// <summary>Small groups: the CPU accelerator runs each thread of a group as a thread of its own.</summary>
    public const int ThreadsPerGroup = 64;

    /// <summary>At most this many floats of K (and as many of V) per tile: 2 × 8 KiB, plus 16 KiB of partial sums.</summary>
    private const int TileFloats = 2048;

    public int RowsPerGroup => ThreadsPerGroup / Lanes;

    /// <summary>
    /// Lanes: the fewest (a power of two that divides the head dim) that leave each lane ≤ 16 dims, or 8 lanes when
    /// none does (head dims 8 × an odd number above 128: ≤ 32 dims each). A lane keeps its dims of q and of the
    /// output in scalar locals, which stay in registers; tiles: the most keys up to 64 within <see cref="TileFloats"/>.
    /// </summary>
    public static GpuLayout For(AttentionSpec spec)
    {
        int lanes = 8;
        for (int candidate = 1; candidate <= 16; candidate *= 2)
        {
            if (spec.HeadDim % candidate == 0 && spec.HeadDim / candidate <= 16)
            {
                lanes = candidate;
                break;
            }
        }
        int tileKv = 64;
        while (tileKv > 8 && tileKv * spec.HeadDim > TileFloats)
            tileKv /= 2;
        return new GpuLayout(lanes, spec.HeadDim / lanes, tileKv);
    }
}

namespace KernelGen;

/// <summary>
/// Which keys a query sees. Every mask KernelGen supports (full, causal, windowed) leaves each query a contiguous
/// range of keys whose two ends never decrease as the query's position grows, so masking is clamping a range, and
/// a tile is either inside it, outside it, or crosses one of its ends.
/// </summary>
public static class AttentionMask
{
    /// <summary>
    /// The visible keys [start, end) of the query at <paramref name="position"/> among the first
    /// <paramref name="validKeys"/> keys; start == end when it sees none.
    /// </summary>
    public static (int Start, int End) VisibleKeys(bool causal, int window, int position, int validKeys)
    {
        long start = 0, end = validKeys;
        if (causal)
        {
            end = (long)position + 1;
            if (window > 0)
                start = (long)position - window + 1;
        }
        else if (window > 0)
        {
            start = (long)position - window + 1;
            end = (long)position + window;
        }
        return Clamp(start, end, validKeys);
    }

    /// <summary>Clamps [start, end) into [0, validKeys), empty when the two cross.</summary>
    /// <remarks>Min and Max, not Math.Clamp: the GPU kernels call this too, and ILGPU cannot compile Clamp's throw.</remarks>
    public static (int Start, int End) Clamp(long start, long end, int validKeys)
    {
        long s = System.Math.Min(System.Math.Max(start, 0), validKeys);
        long e = System.Math.Min(System.Math.Max(end, s), validKeys);
        return ((int)s, (int)e);
    }
}

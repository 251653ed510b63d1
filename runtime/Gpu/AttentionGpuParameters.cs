namespace KernelGen.Gpu;

/// <summary>The run-time sizes every generated GPU kernel receives, packed into one kernel argument.</summary>
public readonly struct AttentionGpuParameters
{
    /// <summary>Packs the sizes of one call.</summary>
    public AttentionGpuParameters(int batch, int queryLength, int keyLength, int queryTiles, int keySplits, bool vectorLoads,
        int stateChunks)
    {
        StateChunks = stateChunks;
        VectorLoads = vectorLoads ? 1 : 0;
        Batch = batch;
        QueryLength = queryLength;
        KeyLength = keyLength;
        QueryTiles = queryTiles;
        KeySplits = keySplits;
    }

    /// <summary>Sequences in the batch.</summary>
    public readonly int Batch;

    /// <summary>Query (and output) rows per head.</summary>
    public readonly int QueryLength;

    /// <summary>Key (and value) rows per head.</summary>
    public readonly int KeyLength;

    /// <summary>Groups per (batch, head): query rows in groups of the kernel's rows per group, rounded up.</summary>
    public readonly int QueryTiles;

    /// <summary>
    /// 1 when q, k and v start on 16-byte boundaries, so that the kernel can stage its tiles four floats per load
    /// (views of a whole buffer do; a sub-view at an odd offset may not, and gets one float per load); else 0 (an int:
    /// kernel parameters must be blittable, and bool is not).
    /// </summary>
    public readonly int VectorLoads;

    /// <summary>Prefix states per (batch, key/value head) of chunked linear attention: key chunks + 1; else 0.</summary>
    public readonly int StateChunks;

    /// <summary>Groups per query tile, each over its share of the keys (split-KV); 1 when the keys are not split.</summary>
    public readonly int KeySplits;
}

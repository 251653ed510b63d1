namespace KernelGen.Gpu;

/// <summary>A generated kernel's compile-time shape, as the host code that launches it needs it.</summary>
/// <param name="HeadDim">Floats per row.</param>
/// <param name="Heads">Query heads.</param>
/// <param name="KvHeads">Key/value heads.</param>
/// <param name="RowsPerGroup">Query rows each group takes.</param>
/// <param name="ThreadsPerGroup">Threads per group.</param>
/// <param name="TileKv">Keys per shared-memory tile.</param>
/// <param name="SplitKeys">Whether the kernel can split the keys across groups (softmax: partials combined after).</param>
/// <param name="LinearChunk">Keys per prefix state of chunked linear attention (read only with a state kernel); 0 for kernels without states.</param>
public readonly record struct AttentionGpuLayout(int HeadDim, int Heads, int KvHeads, int RowsPerGroup, int ThreadsPerGroup, int TileKv,
    bool SplitKeys, int LinearChunk);

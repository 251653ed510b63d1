namespace KernelGen;

/// <summary>One <see cref="MatrixMultiply"/> call as its pieces see it: pinned operands and the blocking it was cut into.</summary>
internal unsafe struct GemmCall
{
    public float* A, B, C, Bias;

    /// <summary>B in column panels (each k × panel width, p-major), then the bias padded to whole panels (zeros where absent).</summary>
    public float* PackedB;

    public int M, K, N;
    public int Panels, RowBlocks, PanelsPerBlock;

    /// <summary>Where the padded bias starts in <see cref="PackedB"/>.</summary>
    public readonly float* PaddedBias(int panelWidth) => PackedB + (long)Panels * panelWidth * K;
}

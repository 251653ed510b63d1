namespace KernelGen;

/// <summary>How a kernel walks the query–key pairs. Every algorithm computes the same result.</summary>
public enum AttentionAlgorithm
{
    /// <summary>
    /// The generator chooses: the tiled flash algorithm for softmax attention, the running-state form for linear
    /// attention.
    /// </summary>
    Auto = 0,

    /// <summary>
    /// One query row at a time: its weights over the visible keys are computed into a row buffer (never an N×N
    /// matrix), normalized, and applied to V. For linear attention this is the explicit (quadratic) weight form.
    /// </summary>
    Materialized = 1,

    /// <summary>
    /// FlashAttention-style tiles of <see cref="AttentionAttribute.TileQ"/> queries by
    /// <see cref="AttentionAttribute.TileKv"/> keys with an online softmax; softmax attention only.
    /// </summary>
    Flash = 2,
}

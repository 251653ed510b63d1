namespace KernelGen;

/// <summary>How a kernel walks the query–key pairs. Every algorithm computes the same result.</summary>
public enum AttentionAlgorithm
{
    /// <summary>
    /// The generator chooses: for softmax attention the flash algorithm (its query tiles read the keys in place when
    /// a key/value head has at most 8 query rows, as in decoding, and packed key tiles otherwise); for linear
    /// attention the chunked form (a running state for the keys a chunk's rows all see, explicit weights for the rest).
    /// The rule is measured, not assumed: <c>dotnet run -c Release --project tests/KernelGen.Benchmarks -- --algorithms</c>
    /// times both softmax algorithms from one-query decoding (1 × 64 … 1 × 4096 keys) to 1024 × 1024, and flash was
    /// faster at every length (4× to 49× on one thread), so no length makes Auto choose materialized.
    /// </summary>
    Auto = 0,

    /// <summary>
    /// One query row at a time: its weights over the visible keys are computed into a row buffer (never an N×N
    /// matrix), normalized, and applied to V. For linear attention this is the explicit (quadratic) weight form. It
    /// is the form to read and step through; it has only a scalar path.
    /// </summary>
    Materialized = 1,

    /// <summary>
    /// FlashAttention-style tiles of <see cref="AttentionAttribute.TileQ"/> queries by
    /// <see cref="AttentionAttribute.TileKv"/> keys with an online softmax; softmax attention only.
    /// </summary>
    Flash = 2,
}

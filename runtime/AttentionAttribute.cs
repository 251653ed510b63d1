using System;

namespace KernelGen;

/// <summary>
/// Declares an attention configuration on a <c>partial</c> class. KernelGen's source generator adds to that class a
/// <c>Forward</c> method specialized for exactly this configuration, and a nested <c>Kernel</c> descriptor that the
/// runtime can list and dispatch to. Misuse is reported at compile time (diagnostics KG0001 and up).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class AttentionAttribute : Attribute
{
    /// <summary>Declares attention with the given head dimension (a multiple of 8 from 8 to 256).</summary>
    public AttentionAttribute(int headDim) => HeadDim = headDim;

    /// <summary>Size of one query, key or value vector: a multiple of 8 from 8 to 256.</summary>
    public int HeadDim { get; }

    /// <summary>Number of query (and output) heads. Default 1.</summary>
    public int Heads { get; set; } = 1;

    /// <summary>
    /// Number of key/value heads: 0 (default) means the same as <see cref="Heads"/>; 1 is multi-query attention;
    /// otherwise grouped-query attention, and <see cref="Heads"/> must be a multiple of it.
    /// </summary>
    public int KvHeads { get; set; }

    /// <summary>Whether a query sees only keys at or before its own position.</summary>
    public bool Causal { get; set; }

    /// <summary>
    /// Sliding window, 0 (default) for none. Causal: key j is visible to the query at position p iff p − W &lt; j ≤ p.
    /// Not causal: iff |p − j| &lt; W.
    /// </summary>
    public int Window { get; set; }

    /// <summary>Softmax (scaled dot-product, default) or linear attention.</summary>
    public AttentionKind Kind { get; set; }

    /// <summary>How the kernel walks the query–key pairs; <see cref="AttentionAlgorithm.Auto"/> by default.</summary>
    public AttentionAlgorithm Algorithm { get; set; }

    /// <summary>Queries per flash tile: a power of two from 8 to 256, or 0 for the generator's choice.</summary>
    public int TileQ { get; set; }

    /// <summary>
    /// Keys per flash tile: a power of two from 8 to 256, or 0 for the generator's choice (which may differ between the
    /// 512-bit path and the others; the generated file's header says).
    /// </summary>
    public int TileKv { get; set; }

    /// <summary>
    /// Multiplier of q·k before the softmax; left unset it is 1/√HeadDim. When set it must be finite and greater than
    /// 0 (KG0010). Softmax attention only.
    /// </summary>
    public double Scale { get; set; }
}

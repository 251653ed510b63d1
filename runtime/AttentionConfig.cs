using System;

namespace KernelGen;

/// <summary>
/// An attention configuration as a run-time value: the same settings as <see cref="AttentionAttribute"/>. Generated
/// kernels report theirs through <see cref="IAttentionKernel.Config"/>; <see cref="AttentionKernels"/> picks a
/// generated kernel for a requested configuration, or the generic kernel.
/// </summary>
/// <param name="HeadDim">Size of one query, key or value vector: a multiple of 8 from 8 to 256.</param>
public readonly record struct AttentionConfig(int HeadDim)
{
    /// <inheritdoc cref="AttentionAttribute.Heads"/>
    public int Heads { get; init; } = 1;

    /// <inheritdoc cref="AttentionAttribute.KvHeads"/>
    public int KvHeads { get; init; }

    /// <inheritdoc cref="AttentionAttribute.Causal"/>
    public bool Causal { get; init; }

    /// <inheritdoc cref="AttentionAttribute.Window"/>
    public int Window { get; init; }

    /// <inheritdoc cref="AttentionAttribute.Kind"/>
    public AttentionKind Kind { get; init; }

    /// <inheritdoc cref="AttentionAttribute.Algorithm"/>
    public AttentionAlgorithm Algorithm { get; init; }

    /// <inheritdoc cref="AttentionAttribute.TileQ"/>
    public int TileQ { get; init; }

    /// <inheritdoc cref="AttentionAttribute.TileKv"/>
    public int TileKv { get; init; }

    /// <inheritdoc cref="AttentionAttribute.Scale"/>
    public double Scale { get; init; }

    /// <summary>Key/value heads with the default resolved: <see cref="Heads"/> when <see cref="KvHeads"/> is 0.</summary>
    public int ResolvedKvHeads => AttentionRules.ResolveKvHeads(Heads, KvHeads);

    /// <summary>The softmax scale with the default resolved (1/√HeadDim); 0 for linear attention.</summary>
    public double ResolvedScale => Kind == AttentionKind.Softmax ? AttentionRules.ResolveScale(HeadDim, Scale) : 0;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that breaks a rule.</summary>
    /// <param name="paramName">The parameter name to report (the caller's name for this configuration).</param>
    public void Validate(string paramName = "config")
    {
        string? problem = Problem();
        if (problem is not null)
        {
            throw new ArgumentException($"Invalid attention configuration {this}: {problem}", paramName);
        }
    }

    private string? Problem()
    {
        if (!AttentionRules.IsValidHeadDim(HeadDim))
            return $"HeadDim must be a multiple of {AttentionRules.HeadDimMultiple} from {AttentionRules.MinHeadDim} to {AttentionRules.MaxHeadDim}, but is {HeadDim}.";
        if (Heads <= 0)
            return $"Heads must be positive, but is {Heads}.";
        if (KvHeads < 0)
            return $"KvHeads must be 0 (same as Heads) or positive, but is {KvHeads}.";
        if (Heads % ResolvedKvHeads != 0)
            return $"Heads ({Heads}) must be a multiple of KvHeads ({KvHeads}).";
        if (Window < 0)
            return $"Window must be 0 (none) or positive, but is {Window}.";
        if (!Enum.IsDefined(Kind))
            return $"Kind {(int)Kind} is not an AttentionKind.";
        if (!Enum.IsDefined(Algorithm))
            return $"Algorithm {(int)Algorithm} is not an AttentionAlgorithm.";
        if (!AttentionRules.IsValidTile(TileQ) || !AttentionRules.IsValidTile(TileKv))
            return $"TileQ and TileKv must be 0 or powers of two from {AttentionRules.MinTile} to {AttentionRules.MaxTile}, but are {TileQ} and {TileKv}.";
        if (!AttentionRules.IsValidScale(Scale))
            return $"Scale must be 0 (1/sqrt(HeadDim)) or a finite positive number, but is {Scale}.";
        if (Kind == AttentionKind.Linear && Scale != 0)
            return "Scale applies to softmax attention only.";
        if (Kind == AttentionKind.Linear && Algorithm == AttentionAlgorithm.Flash)
            return "Flash applies to softmax attention only.";
        if ((TileQ != 0 || TileKv != 0) && (Algorithm == AttentionAlgorithm.Materialized || Kind == AttentionKind.Linear))
            return "TileQ and TileKv apply to the flash algorithm only.";
        return null;
    }

    /// <summary>
    /// Whether a kernel built for this configuration computes what <paramref name="request"/> asks for: every
    /// setting that changes the result is equal (defaults resolved), and the request's algorithm and tiles are
    /// either left to the generator (Auto, 0) or equal.
    /// </summary>
    public bool Serves(AttentionConfig request)
        => HeadDim == request.HeadDim
        && Heads == request.Heads
        && ResolvedKvHeads == request.ResolvedKvHeads
        && Causal == request.Causal
        && Window == request.Window
        && Kind == request.Kind
        && ResolvedScale == request.ResolvedScale
        && (request.Algorithm == AttentionAlgorithm.Auto || request.Algorithm == Algorithm)
        && (request.TileQ == 0 || request.TileQ == TileQ)
        && (request.TileKv == 0 || request.TileKv == TileKv);
}

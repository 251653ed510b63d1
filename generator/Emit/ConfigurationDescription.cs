using KernelGen.Generator.Model;

namespace KernelGen.Generator.Emit;

/// <summary>The configuration in words, for the header comment of a generated file.</summary>
internal static class ConfigurationDescription
{
    public static string Heads(AttentionSpec spec) => spec switch
    {
        { Heads: 1 } => "1 query head, 1 key/value head",
        { KvHeads: 1 } => $"{spec.Heads} query heads, 1 key/value head: multi-query, every query head reads it",
        _ when spec.KvHeads == spec.Heads => $"{spec.Heads} query heads, each with its own key/value head",
        _ => $"{spec.Heads} query heads, {spec.KvHeads} key/value heads: grouped-query, {spec.GroupSize} query heads share each key/value head",
    };

    public static string Mask(AttentionSpec spec) => spec switch
    {
        { Causal: true, Window: 0 } => "causal: the query at position p sees keys 0 … p",
        { Causal: true } => $"causal with a window of {spec.Window}: the query at position p sees keys p − {spec.Window - 1} … p",
        { Window: 0 } => "none: every query sees every key",
        _ => $"window of {spec.Window} on both sides: the query at position p sees keys p − {spec.Window - 1} … p + {spec.Window - 1}",
    };

    public static string Weights(AttentionSpec spec) => spec.Kind == AttentionKind.Linear
        ? $"linear: φ(q)·φ(k) / (Σ φ(q)·φ(k) + 1e-6) with φ(x) = elu(x) + 1"
        : $"softmax of {Literals.Double(spec.Scale)} · q·k" + (spec.Scale == AttentionRules.ResolveScale(spec.HeadDim, 0)
            ? $" (scale 1/√{spec.HeadDim})"
            : "");

    public static string Algorithm(AttentionSpec spec) => (spec.Kind, spec.Algorithm) switch
    {
        (AttentionKind.Softmax, AttentionAlgorithm.Flash)
            => $"flash: tiles of {spec.TileQ} queries × {spec.TileKv} keys{(spec.TileKv512 == spec.TileKv ? "" : $" ({spec.TileKv512} on the 512-bit path)")}, online softmax, "
                + "tiles outside the mask skipped",
        (AttentionKind.Softmax, _) => "materialized: one query row of scores at a time, never an N×N matrix",
        (_, AttentionAlgorithm.Materialized) => "materialized: one query row of explicit weights at a time",
        _ => "running state S = Σ φ(k)vᵀ, z = Σ φ(k) over the visible keys, grown and shrunk as the query moves",
    };
}

namespace KernelGen.Generator.Model;

/// <summary>A type that encloses the attributed class, re-declared around the generated part: "class", "struct", ...</summary>
internal sealed record ContainingType(string Keyword, string Name);

/// <summary>
/// One validated [Attention] configuration and where it is declared: plain values only, so an edit elsewhere in the
/// compilation produces an equal spec and the emit step is skipped. Defaults are already resolved.
/// </summary>
internal sealed record AttentionSpec(
    string? Namespace,
    EquatableArray<ContainingType> ContainingTypes,
    string ClassName,
    bool IsStatic,
    bool IsRegistered,
    int HeadDim,
    int Heads,
    int KvHeads,
    bool Causal,
    int Window,
    AttentionKind Kind,
    AttentionAlgorithm Algorithm,
    int TileQ,
    int TileKv,
    int TileKv512,
    double Scale)
{
    /// <summary>Query heads that read each key/value head.</summary>
    public int GroupSize => Heads / KvHeads;

    /// <summary>The class's name with its namespace and containing types, as the runtime reports it.</summary>
    public string FullName
    {
        get
        {
            string prefix = Namespace is null ? "" : Namespace + ".";
            foreach (ContainingType type in ContainingTypes)
                prefix += type.Name + ".";
            return prefix + ClassName;
        }
    }

    /// <summary>A file name unique per class in the compilation.</summary>
    public string HintName => FullName + ".Attention.g.cs";

    /// <summary>The GPU kernel's file name, unique per class likewise.</summary>
    public string GpuHintName => FullName + ".Gpu.g.cs";
}

/// <summary>What reading one attributed class gives: a spec when it is valid, and the diagnostics either way.</summary>
internal sealed record AttentionReadResult(AttentionSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics);

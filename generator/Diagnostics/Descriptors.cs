using Microsoft.CodeAnalysis;

namespace KernelGen.Generator.Diagnostics;

/// <summary>
/// Every misuse of [Attention] the generator reports. Each is an error on the offending class or attribute argument,
/// and no code is generated for that class; AnalyzerReleases.Unshipped.md and the README list the same IDs.
/// </summary>
internal static class Descriptors
{
    private const string Category = "KernelGen";

    private static DiagnosticDescriptor Error(string id, string title, string message, string why)
        => new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true, description: why);

    public static readonly DiagnosticDescriptor NotPartial = Error("KG0001",
        "Attention class must be partial",
        "Class '{0}' has [Attention] but is not partial",
        "The generator adds Forward and a Kernel descriptor to the class, which it can only do to a partial class.");

    public static readonly DiagnosticDescriptor ContainingTypeNotPartial = Error("KG0002",
        "Type containing an attention class must be partial",
        "Class '{0}' is nested in '{1}', which is not partial",
        "The generated code re-declares every containing type, so each must be partial.");

    public static readonly DiagnosticDescriptor Generic = Error("KG0003",
        "Attention class must not be generic",
        "Class '{0}' has [Attention] but is generic or nested in a generic type",
        "A kernel is specialized for one configuration; type parameters would make one class stand for many.");

    public static readonly DiagnosticDescriptor InvalidHeadDim = Error("KG0004",
        "Head dimension out of range",
        "HeadDim must be a multiple of 8 from 8 to 256, but is {0}",
        "Head dims are multiples of 8 so every row splits into whole SIMD vectors; 256 bounds the per-row registers.");

    public static readonly DiagnosticDescriptor InvalidHeads = Error("KG0005",
        "Heads must be positive",
        "Heads must be at least 1, but is {0}",
        "A configuration needs at least one query head.");

    public static readonly DiagnosticDescriptor InvalidKvHeads = Error("KG0006",
        "KvHeads must be 0 or positive",
        "KvHeads must be 0 (same as Heads) or at least 1, but is {0}",
        "KvHeads is the number of key/value heads; 0 stands for Heads.");

    public static readonly DiagnosticDescriptor HeadsNotMultipleOfKvHeads = Error("KG0007",
        "Heads must be a multiple of KvHeads",
        "Heads ({0}) must be a multiple of KvHeads ({1})",
        "In grouped-query attention each key/value head serves an equal group of Heads / KvHeads query heads.");

    public static readonly DiagnosticDescriptor NegativeWindow = Error("KG0008",
        "Window must not be negative",
        "Window must be 0 (none) or positive, but is {0}",
        "The window is a number of keys; 0 means no window.");

    public static readonly DiagnosticDescriptor InvalidTile = Error("KG0009",
        "Tile size must be a power of two from 8 to 256",
        "{0} must be 0 (generator's choice) or a power of two from 8 to 256, but is {1}",
        "Flash tiles are powers of two so they split into whole SIMD vectors and cache lines.");

    public static readonly DiagnosticDescriptor InvalidScale = Error("KG0010",
        "Scale must be finite and positive",
        "Scale must be a finite number greater than 0, but is {0}; leave it out for 1/sqrt(HeadDim)",
        "A zero, negative, infinite or NaN scale makes every softmax row degenerate.");

    public static readonly DiagnosticDescriptor TilesWithMaterialized = Error("KG0011",
        "Tiles do not apply to the materialized algorithm",
        "{0} is set, but Algorithm is Materialized, which has no tiles",
        "Materialized attention walks one query row at a time; tile sizes would be silently ignored.");

    public static readonly DiagnosticDescriptor ScaleWithLinear = Error("KG0012",
        "Scale does not apply to linear attention",
        "Scale is set, but Kind is Linear, whose weights φ(q)·φ(k) have no scale",
        "Linear attention normalizes by the sum of its weights, so a scale would cancel out.");

    public static readonly DiagnosticDescriptor FlashWithLinear = Error("KG0013",
        "Flash does not apply to linear attention",
        "Algorithm is Flash, but Kind is Linear; use Auto (running state) or Materialized (explicit weights)",
        "Flash is an online softmax; linear attention has no softmax to compute online.");

    public static readonly DiagnosticDescriptor TilesWithLinear = Error("KG0014",
        "Tiles do not apply to linear attention",
        "{0} is set, but Kind is Linear, which has no flash tiles",
        "Linear attention keeps a running state instead of tiles; tile sizes would be silently ignored.");

    public static readonly DiagnosticDescriptor UndefinedEnumValue = Error("KG0015",
        "Value is not a member of its enum",
        "{0} is {1}, which is not a defined {2} value",
        "A cast integer would select no kernel; use one of the enum's named members.");

    public static readonly DiagnosticDescriptor FileLocal = Error("KG0016",
        "Attention class must not be file-local",
        "Class '{0}' has [Attention] but is declared 'file'",
        "Generated code lives in its own file, where a file-local class is invisible; it would declare a second, unrelated class.");

    public static readonly DiagnosticDescriptor ReservedName = Error("KG0017",
        "Name taken by generated code",
        "Class '{0}' is named or declares a member named '{1}', which the generated code needs",
        "The generator adds nested types named Kernel (the run-time descriptor) and Gpu (the GPU kernel) to the class.");
}

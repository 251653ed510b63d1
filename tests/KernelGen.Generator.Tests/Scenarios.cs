using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace KernelGen.Generator.Tests;

/// <summary>
/// The representative configurations the snapshots and the compile tests share: one input file each, every class
/// with its own name, so all of them also compile together in one assembly.
/// </summary>
internal static class Scenarios
{
    public sealed record Scenario(string Source, string HintName);

    private static string InNamespace(string declarations) => $$"""
        using KernelGen;

        namespace Models.Attention;

        {{declarations}}
        """;

    public static readonly IReadOnlyDictionary<string, Scenario> All = new Dictionary<string, Scenario>
    {
        // Multi-head, no mask, every other setting left to the generator: flash with the default 64 × 64 tiles.
        ["MhaFlashDefaultTiles"] = new(InNamespace("""
            /// <summary>Eight heads of 64, full attention.</summary>
            [Attention(64, Heads = 8)]
            public static partial class MhaFlash;
            """), "Models.Attention.MhaFlash.Attention.g.cs"),

        // Flash asked for by name with tiles that differ from each other (32 query rows, 128 keys).
        ["CausalFlashCustomTiles"] = new(InNamespace("""
            /// <summary>Causal flash with tall key tiles.</summary>
            [Attention(128, Heads = 4, Causal = true, Algorithm = AttentionAlgorithm.Flash, TileQ = 32, TileKv = 128)]
            public static partial class CausalFlashTiles;
            """), "Models.Attention.CausalFlashTiles.Attention.g.cs"),

        // Grouped-query (8 query heads over 2 key/value heads) with a causal sliding window of 256.
        ["GqaCausalSlidingWindow"] = new(InNamespace("""
            /// <summary>Grouped-query attention with a sliding window.</summary>
            [Attention(64, Heads = 8, KvHeads = 2, Causal = true, Window = 256)]
            public static partial class GqaSlidingWindow;
            """), "Models.Attention.GqaSlidingWindow.Attention.g.cs"),

        // Multi-query: one key/value head read by all eight query heads.
        ["Mqa"] = new(InNamespace("""
            /// <summary>Multi-query attention.</summary>
            [Attention(64, Heads = 8, KvHeads = 1)]
            public static partial class MultiQuery;
            """), "Models.Attention.MultiQuery.Attention.g.cs"),

        // Materialized softmax with a scale that is not 1/√32, so the header must not call it the default.
        ["MaterializedSoftmaxExplicitScale"] = new(InNamespace("""
            /// <summary>Row-at-a-time softmax with its own scale.</summary>
            [Attention(32, Heads = 2, Algorithm = AttentionAlgorithm.Materialized, Scale = 0.1)]
            public static partial class MaterializedScaled;
            """), "Models.Attention.MaterializedScaled.Attention.g.cs"),

        // A window of 16 on both sides, not causal.
        ["NonCausalWindow"] = new(InNamespace("""
            /// <summary>Local attention, 16 keys each side.</summary>
            [Attention(64, Window = 16)]
            public static partial class LocalWindow;
            """), "Models.Attention.LocalWindow.Attention.g.cs"),

        // Linear attention with the default algorithm: the running state.
        ["LinearCausalChunked"] = new(InNamespace("""
            /// <summary>Causal linear attention.</summary>
            [Attention(64, Heads = 4, Causal = true, Kind = AttentionKind.Linear)]
            public static partial class LinearCausal;
            """), "Models.Attention.LinearCausal.Attention.g.cs"),

        // Linear attention with the running state over a sliding window: keys leave it, and non-finite ones are tracked.
        ["LinearWindowChunked"] = new(InNamespace("""
            /// <summary>Linear attention over the last 256 positions.</summary>
            [Attention(64, Heads = 4, Causal = true, Window = 256, Kind = AttentionKind.Linear)]
            public static partial class LinearWindow;
            """), "Models.Attention.LinearWindow.Attention.g.cs"),

        // Linear attention, explicit weights, grouped-query, causal window of 8.
        ["LinearWindowedMaterialized"] = new(InNamespace("""
            /// <summary>Windowed linear attention with explicit weights.</summary>
            [Attention(32, Heads = 4, KvHeads = 2, Causal = true, Window = 8, Kind = AttentionKind.Linear, Algorithm = AttentionAlgorithm.Materialized)]
            public static partial class LinearWindowMaterialized;
            """), "Models.Attention.LinearWindowMaterialized.Attention.g.cs"),

        // No namespace: the generated file must not open one, and the hint name is the bare class name.
        ["GlobalNamespace"] = new("""
            using KernelGen;

            /// <summary>A kernel in the global namespace.</summary>
            [Attention(16)]
            public static partial class GlobalKernel;
            """, "GlobalKernel.Attention.g.cs"),

        // Nested in a class and a record struct: both must be re-declared, the record struct with its keywords.
        ["NestedInPartialTypes"] = new(InNamespace("""
            /// <summary>The outer type.</summary>
            public partial class Model
            {
                /// <summary>A record struct in between.</summary>
                public partial record struct Layer(int Index)
                {
                    /// <summary>The kernel, two levels down.</summary>
                    [Attention(64, Heads = 2, Causal = true)]
                    public static partial class SelfAttention;
                }
            }
            """), "Models.Attention.Model.Layer.SelfAttention.Attention.g.cs"),

        // Not static: the generated part must not add 'static' (CS0262 otherwise).
        ["NonStaticClass"] = new(InNamespace("""
            /// <summary>An instance class that also holds a kernel.</summary>
            public sealed partial class InstanceHolder
            {
                /// <summary>Some state of the user's own.</summary>
                public int Calls { get; set; }
            }

            /// <summary>The attribute on another part of the same class.</summary>
            [Attention(64, Heads = 2)]
            public sealed partial class InstanceHolder;
            """), "Models.Attention.InstanceHolder.Attention.g.cs"),
    };

    public static TheoryData<string> Names => new(All.Keys.OrderBy(name => name, System.StringComparer.Ordinal));

    private static string EdgeKernel(string name, string arguments) => $$"""
        using KernelGen;

        namespace Edges;

        /// <summary>An edge case.</summary>
        [Attention({{arguments}})]
        public static partial class {{name}};
        """;

    /// <summary>Valid configurations at the edges of the rules: each must generate a file and no diagnostic.</summary>
    public static readonly IReadOnlyDictionary<string, string> EdgeCases = new Dictionary<string, string>
    {
        // 0 is the documented "same as Heads"; written out it must mean the same as left out.
        ["KvHeadsZeroExplicit"] = EdgeKernel("KvHeadsZero", "64, Heads = 4, KvHeads = 0"),
        // KvHeads equal to Heads is plain multi-head attention.
        ["KvHeadsEqualHeads"] = EdgeKernel("KvHeadsEqual", "64, Heads = 4, KvHeads = 4"),
        // 0 is "the generator's choice", also for the algorithms that have no tiles.
        ["TilesZeroExplicit"] = EdgeKernel("TilesZero", "64, TileQ = 0, TileKv = 0"),
        ["TilesZeroMaterialized"] = EdgeKernel("TilesZeroMaterialized", "64, Algorithm = AttentionAlgorithm.Materialized, TileQ = 0"),
        ["TilesZeroLinear"] = EdgeKernel("TilesZeroLinear", "64, Kind = AttentionKind.Linear, TileKv = 0"),
        // The smallest and largest tiles, 8 and 256.
        ["TilesAtBounds"] = EdgeKernel("TilesAtBounds", "64, TileQ = 8, TileKv = 256"),
        // The smallest and largest head dims, 8 and 256.
        ["HeadDimMinimum"] = EdgeKernel("HeadDim8", "8"),
        ["HeadDimMaximum"] = EdgeKernel("HeadDim256", "256, Causal = true"),
        // A window wider than any sequence: the mask arithmetic must not overflow (int.MaxValue − 1 as a long).
        ["WindowMaxNonCausal"] = EdgeKernel("WindowMaxNonCausal", "64, Window = int.MaxValue"),
        ["WindowMaxCausal"] = EdgeKernel("WindowMaxCausal", "64, Causal = true, Window = int.MaxValue"),
        // An int literal for the double Scale: the compiler converts it, the generator must read 1.0, not "absent".
        ["ScaleIntLiteral"] = EdgeKernel("ScaleInt", "64, Scale = 1"),
        // Finite and positive, so valid, but Scale · log2(e) is beyond float's range: the float constant must still be C#.
        ["ScaleBeyondFloat"] = EdgeKernel("ScaleBeyondFloat", "64, Scale = 1e300"),
        // The smallest positive double: rounds to 0 as a float.
        ["ScaleSmallestDouble"] = EdgeKernel("ScaleSmallestDouble", "64, Scale = double.Epsilon"),
        // Explicit defaults for the enums.
        ["LinearAutoExplicit"] = EdgeKernel("LinearAuto", "64, Kind = AttentionKind.Linear, Algorithm = AttentionAlgorithm.Auto"),
        // Named positional argument.
        ["HeadDimNamed"] = EdgeKernel("HeadDimNamed", "headDim: 32, Heads = 2"),
    };

    public static TheoryData<string> EdgeCaseNames => new(EdgeCases.Keys.OrderBy(name => name, System.StringComparer.Ordinal));
}

using KernelGen;

// The kernels under test: the generator writes a specialized Forward and a nested Kernel descriptor for each class
// below, and AttentionKernels.GeneratedIn(this assembly) lists them. They cover head dims 8 to 256; multi-head,
// grouped-query and multi-query; causal, full, and windows from 1 to wider than any sequence the tests use; softmax
// (flash with tiles 8 to 256, square and not, and materialized) and linear (running state and materialized); default
// and explicit scales; and a nested, a non-static and a global-namespace class. No two declare the same result-affecting
// configuration with the same algorithm and tiles, so each is the one AttentionKernels.For finds for its own config.

namespace KernelGen.Runtime.Tests.Kernels
{
    // ---- softmax, flash (Auto resolves to flash) ----

    [Attention(8, Heads = 2)]
    public static partial class Softmax8Full;

    [Attention(8, Heads = 2, Causal = true, Algorithm = AttentionAlgorithm.Flash, TileQ = 8, TileKv = 8)]
    public static partial class Softmax8CausalTile8;

    [Attention(8, Heads = 8, KvHeads = 2, Causal = true, TileQ = 256, TileKv = 256)]
    public static partial class Softmax8GqaCausalTile256;

    [Attention(16, Heads = 6, KvHeads = 3, Causal = true, Window = 4, TileQ = 16, TileKv = 8)]
    public static partial class Softmax16GqaCausalWindow4;

    [Attention(24, Scale = 2.0, TileQ = 8, TileKv = 128)]
    public static partial class Softmax24Scale2Tile8x128;

    [Attention(32, Heads = 2, Causal = true, Window = 3, Algorithm = AttentionAlgorithm.Flash, TileQ = 32, TileKv = 32)]
    public static partial class Softmax32CausalWindow3Tile32;

    [Attention(40, Heads = 3, Window = 5, TileQ = 16, TileKv = 32)]
    public static partial class Softmax40Window5Tile16x32;

    [Attention(40, Heads = 4, KvHeads = 2, Causal = true, Window = 1, TileQ = 8, TileKv = 16)]
    public static partial class Softmax40GqaCausalWindow1;

    [Attention(64, Heads = 4, Causal = true)]
    public static partial class Softmax64Causal;

    [Attention(64, Heads = 8, KvHeads = 2, Causal = true, TileQ = 32, TileKv = 8)]
    public static partial class Softmax64GqaCausalTile32x8;

    [Attention(64, Heads = 8, KvHeads = 1, Causal = true, Window = 16, TileQ = 16, TileKv = 16)]
    public static partial class Softmax64MqaCausalWindow16;

    [Attention(64, Heads = 2, Window = 200, TileQ = 128, TileKv = 128)]
    public static partial class Softmax64WideWindowTile128;

    [Attention(64, Heads = 2, Causal = true, Window = 500, TileQ = 64, TileKv = 16)]
    public static partial class Softmax64CausalWideWindow;

    [Attention(64, Heads = 2, Window = 1)]
    public static partial class Softmax64Window1;

    // A short window in a 128-key tile: each row's three keys sit mid-vector among masked ones, and on the 256-bit
    // path a tile row is 16 vectors, which the softmax reads in place rather than holding.
    [Attention(64, Heads = 2, Window = 2, TileKv = 128)]
    public static partial class Softmax64Window2Tile128;

    [Attention(128, Heads = 2, Causal = true, TileQ = 64, TileKv = 32)]
    public static partial class Softmax128CausalTile64x32;

    [Attention(128, Heads = 4, KvHeads = 1, Scale = 0.05)]
    public static partial class Softmax128MqaScale;

    [Attention(256, Heads = 2, Causal = true, TileQ = 16, TileKv = 64)]
    public static partial class Softmax256CausalTile16x64;

    [Attention(256, Window = 7, TileQ = 128, TileKv = 8)]
    public static partial class Softmax256Window7Tile128x8;

    // ---- softmax, materialized ----

    [Attention(64, Heads = 4, Causal = true, Algorithm = AttentionAlgorithm.Materialized)]
    public static partial class Softmax64CausalMaterialized;

    [Attention(64, Heads = 2, Window = 1, Algorithm = AttentionAlgorithm.Materialized)]
    public static partial class Softmax64Window1Materialized;

    [Attention(16, Heads = 6, KvHeads = 3, Causal = true, Window = 4, Algorithm = AttentionAlgorithm.Materialized)]
    public static partial class Softmax16GqaCausalWindow4Materialized;

    [Attention(128, Heads = 4, KvHeads = 2, Window = 9, Algorithm = AttentionAlgorithm.Materialized)]
    public static partial class Softmax128GqaWindow9Materialized;

    [Attention(256, Heads = 2, KvHeads = 1, Algorithm = AttentionAlgorithm.Materialized, Scale = 0.125)]
    public static partial class Softmax256MqaMaterializedScale;

    [Attention(40, Heads = 2, Causal = true, Window = 300, Algorithm = AttentionAlgorithm.Materialized)]
    public static partial class Softmax40CausalWideWindowMaterialized;

    // ---- linear, running state (Auto) ----

    [Attention(8, Heads = 2, Kind = AttentionKind.Linear)]
    public static partial class Linear8Full;

    [Attention(40, Heads = 4, KvHeads = 2, Causal = true, Kind = AttentionKind.Linear)]
    public static partial class Linear40GqaCausal;

    [Attention(64, Heads = 4, Causal = true, Window = 8, Kind = AttentionKind.Linear)]
    public static partial class Linear64CausalWindow8;

    [Attention(64, Heads = 8, KvHeads = 1, Window = 5, Kind = AttentionKind.Linear)]
    public static partial class Linear64MqaWindow5;

    [Attention(128, Heads = 2, KvHeads = 1, Causal = true, Window = 1, Kind = AttentionKind.Linear)]
    public static partial class Linear128MqaCausalWindow1;

    [Attention(256, Causal = true, Kind = AttentionKind.Linear)]
    public static partial class Linear256Causal;

    [Attention(16, Heads = 2, Window = 400, Kind = AttentionKind.Linear)]
    public static partial class Linear16WideWindow;

    // ---- linear, materialized ----

    [Attention(8, Heads = 2, Causal = true, Kind = AttentionKind.Linear, Algorithm = AttentionAlgorithm.Materialized)]
    public static partial class Linear8CausalMaterialized;

    [Attention(64, Heads = 4, Causal = true, Window = 8, Kind = AttentionKind.Linear, Algorithm = AttentionAlgorithm.Materialized)]
    public static partial class Linear64CausalWindow8Materialized;

    [Attention(64, Heads = 2, Kind = AttentionKind.Linear, Algorithm = AttentionAlgorithm.Materialized)]
    public static partial class Linear64FullMaterialized;

    [Attention(128, Heads = 2, Window = 1, Kind = AttentionKind.Linear, Algorithm = AttentionAlgorithm.Materialized)]
    public static partial class Linear128Window1Materialized;

    [Attention(256, Heads = 2, KvHeads = 1, Window = 300, Kind = AttentionKind.Linear, Algorithm = AttentionAlgorithm.Materialized)]
    public static partial class Linear256MqaWideWindowMaterialized;

    // ---- class shapes the generator must re-declare correctly ----

    /// <summary>A non-static class: the generated part must not add <c>static</c>.</summary>
    [Attention(16, Heads = 2, Causal = true, TileQ = 8, TileKv = 32)]
    public partial class InstanceClassKernel
    {
        public int Unused { get; set; }
    }

    /// <summary>A containing type, re-declared around the generated class.</summary>
    public static partial class Outer
    {
        [Attention(16, Window = 2, Algorithm = AttentionAlgorithm.Materialized)]
        internal static partial class NestedWindow2;
    }
}

/// <summary>A class in the global namespace.</summary>
[Attention(8, Heads = 4, KvHeads = 1, Kind = AttentionKind.Linear, Causal = true, Window = 3)]
internal static partial class GlobalNamespaceLinearKernel;

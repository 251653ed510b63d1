using KernelGen;

// The configurations whose generated GPU kernels the tests run on ILGPU's CPU accelerator: head dims 8 to 256 (one
// to 16 lanes per row, 8 to 17 dims per lane, tiles of 8 to 64 keys); multi-head, grouped-query and multi-query;
// full, causal, windowed both ways and causal-windowed; default and explicit scales; flash and materialized softmax
// (the GPU kernel is the same for both) and linear attention; and a nested, non-static class.

namespace KernelGen.Gpu.Tests.Kernels
{
    [Attention(8, Heads = 2)]
    public static partial class Softmax8Full;

    [Attention(16, Heads = 6, KvHeads = 3, Causal = true, Window = 4, TileQ = 16, TileKv = 8)]
    public static partial class Softmax16GqaCausalWindow4;

    [Attention(24, Scale = 2.0)]
    public static partial class Softmax24Scale2;

    [Attention(40, Heads = 3, Window = 5)]
    public static partial class Softmax40Window5;

    [Attention(64, Heads = 4, Causal = true)]
    public static partial class Softmax64Causal;

    [Attention(64, Heads = 8, KvHeads = 2, Causal = true)]
    public static partial class Softmax64GqaCausal;

    [Attention(64, Heads = 4, KvHeads = 1, Causal = true, Window = 16)]
    public static partial class Softmax64MqaCausalWindow16;

    [Attention(64, Heads = 2, Window = 1, Algorithm = AttentionAlgorithm.Materialized)]
    public static partial class Softmax64Window1Materialized;

    [Attention(128, Heads = 2, Causal = true)]
    public static partial class Softmax128Causal;

    [Attention(128, Heads = 4, KvHeads = 1, Scale = 0.05)]
    public static partial class Softmax128MqaScale;

    [Attention(136, Heads = 2, Window = 9)]
    public static partial class Softmax136Window9;

    [Attention(256, Heads = 2, Causal = true)]
    public static partial class Softmax256Causal;

    [Attention(8, Heads = 2, Kind = AttentionKind.Linear)]
    public static partial class Linear8Full;

    [Attention(40, Heads = 4, KvHeads = 2, Causal = true, Kind = AttentionKind.Linear)]
    public static partial class Linear40GqaCausal;

    [Attention(64, Heads = 4, Causal = true, Window = 8, Kind = AttentionKind.Linear)]
    public static partial class Linear64CausalWindow8;

    [Attention(128, Heads = 2, KvHeads = 1, Window = 5, Kind = AttentionKind.Linear, Algorithm = AttentionAlgorithm.Materialized)]
    public static partial class Linear128MqaWindow5Materialized;

    /// <summary>A non-static class in a containing type: the generated Gpu class is nested in both.</summary>
    public static partial class Outer
    {
        [Attention(32, Heads = 2, Causal = true)]
        public partial class NestedInstanceCausal
        {
            public int Unused { get; set; }
        }
    }
}

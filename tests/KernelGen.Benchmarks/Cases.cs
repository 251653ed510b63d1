using System;
using System.Collections.Generic;
using KernelGen;

namespace KernelGen.Benchmarks;

/// <summary>A generated kernel's static Forward, as a delegate.</summary>
public delegate void ForwardFn(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, Span<float> output,
    int batch, int queryLength, int keyLength);

/// <summary>
/// One benchmark case: the configuration (the same settings as its <c>[Attention]</c> class), the generated
/// kernel's Forward, the lengths, the ONNX Runtime ops that may serve as its peer, and its FLOP count.
/// </summary>
public sealed class BenchCase
{
    public const int Batch = 1;

    public required string Name { get; init; }
    public required AttentionConfig Config { get; init; }
    public required ForwardFn Generated { get; init; }
    /// <summary>The attributed class (its generated Kernel's Name ends with this).</summary>
    public required string GeneratedClass { get; init; }
    public required int QueryLength { get; init; }
    public required int KeyLength { get; init; }
    /// <summary>Candidate ONNX Runtime ops, fastest picked per thread count; empty: no peer (see <see cref="NoOrtReason"/>).</summary>
    public required IReadOnlyList<OrtCandidate> OrtCandidates { get; init; }
    public string? NoOrtReason { get; init; }
    public required int[] Threads { get; init; }

    public int Heads => Config.Heads;
    public int KvHeads => Config.ResolvedKvHeads;
    public int HeadDim => Config.HeadDim;

    /// <summary>
    /// Nominal FLOPs of one call. Softmax: 4·B·H·Nq·Nkv·D (QKᵀ and PV, one multiply-add = 2 FLOPs each), halved for
    /// causal when Nq = Nkv; with a causal window each query sees W keys, so W replaces Nkv (not halved). Linear
    /// (running state): per position and head the state update S += φ(k)vᵀ (2·D² FLOPs) and the read-out φ(q)ᵀS
    /// (2·D² FLOPs), so 4·B·H·N·D²; the O(D) normalizer terms are left out.
    /// </summary>
    public double Flops
    {
        get
        {
            double b = Batch, h = Heads, d = HeadDim, nq = QueryLength, nkv = KeyLength;
            if (Config.Kind == AttentionKind.Linear)
                return 4 * b * h * nq * d * d;
            if (Config.Window > 0)
                return 4 * b * h * nq * Math.Min(Config.Window, nkv) * d * (Config.Causal ? 1 : 2);
            double flops = 4 * b * h * nq * nkv * d;
            return Config.Causal && QueryLength == KeyLength ? flops / 2 : flops;
        }
    }

    public string FlopsFormula => Config.Kind == AttentionKind.Linear
        ? "4·B·H·N·D² (running state)"
        : Config.Window > 0 ? "4·B·H·Nq·W·D"
        : Config.Causal && QueryLength == KeyLength ? "4·B·H·Nq·Nkv·D / 2" : "4·B·H·Nq·Nkv·D";

    public string Describe()
    {
        string heads = KvHeads == Heads ? $"H={Heads}" : $"H={Heads}/{KvHeads}kv";
        string mask = (Config.Causal, Config.Window) switch
        {
            (true, 0) => "causal",
            (true, _) => $"causal W={Config.Window}",
            (false, 0) => "full",
            _ => $"window W={Config.Window}",
        };
        string kind = Config.Kind == AttentionKind.Linear ? "linear " : "";
        return $"{kind}Nq={QueryLength} Nkv={KeyLength} D={HeadDim} {heads} {mask}";
    }
}

/// <summary>The case lists of the full suite and of the quick mode.</summary>
public static class Cases
{
    private static readonly int[] OneAndTwo = [1, 2];
    private static readonly int[] OneThread = [1];

    private static OrtCandidate[] Prefill(bool causal) => causal
        ? [OrtCandidate.Mha(), OrtCandidate.Attention23(), OrtCandidate.Gqa()]
        : [OrtCandidate.Mha(), OrtCandidate.Attention23()];

    public static IReadOnlyList<BenchCase> Full() =>
    [
        SoftmaxCase("prefill N=1024 D=64 full", new(64) { Heads = 8 }, Prefill_N1024_D64_Full.Forward, nameof(Prefill_N1024_D64_Full), 1024, 1024, Prefill(false), OneAndTwo),
        SoftmaxCase("prefill N=1024 D=64 causal", new(64) { Heads = 8, Causal = true }, Prefill_N1024_D64_Causal.Forward, nameof(Prefill_N1024_D64_Causal), 1024, 1024, Prefill(true), OneAndTwo),
        SoftmaxCase("prefill N=1024 D=128 full", new(128) { Heads = 8 }, Prefill_N1024_D128_Full.Forward, nameof(Prefill_N1024_D128_Full), 1024, 1024, Prefill(false), OneAndTwo),
        SoftmaxCase("prefill N=1024 D=128 causal", new(128) { Heads = 8, Causal = true }, Prefill_N1024_D128_Causal.Forward, nameof(Prefill_N1024_D128_Causal), 1024, 1024, Prefill(true), OneAndTwo),
        SoftmaxCase("prefill N=4096 D=64 full", new(64) { Heads = 8 }, Prefill_N4096_D64_Full.Forward, nameof(Prefill_N4096_D64_Full), 4096, 4096, Prefill(false), OneAndTwo),
        SoftmaxCase("prefill N=4096 D=64 causal", new(64) { Heads = 8, Causal = true }, Prefill_N4096_D64_Causal.Forward, nameof(Prefill_N4096_D64_Causal), 4096, 4096, Prefill(true), OneAndTwo),
        SoftmaxCase("prefill N=4096 D=128 full", new(128) { Heads = 8 }, Prefill_N4096_D128_Full.Forward, nameof(Prefill_N4096_D128_Full), 4096, 4096, Prefill(false), OneAndTwo),
        SoftmaxCase("prefill N=4096 D=128 causal", new(128) { Heads = 8, Causal = true }, Prefill_N4096_D128_Causal.Forward, nameof(Prefill_N4096_D128_Causal), 4096, 4096, Prefill(true), OneAndTwo),
        Gqa(4096, OneAndTwo),
        Window(16384, OneAndTwo),
        DecodeMha(OneAndTwo),
        DecodeGqa(OneAndTwo),
        Linear(16384, OneAndTwo),
    ];

    /// <summary>
    /// The quick mode: N=4096 D=128 full at one thread as in the full suite, every other kind once at one thread
    /// and shorter where the full case is long (window at N=2048, linear at N=4096, GQA at N=1024), decode at 1 and 2 threads.
    /// </summary>
    public static IReadOnlyList<BenchCase> Quick() =>
    [
        SoftmaxCase("prefill N=4096 D=128 full", new(128) { Heads = 8 }, Prefill_N4096_D128_Full.Forward, nameof(Prefill_N4096_D128_Full), 4096, 4096, Prefill(false), OneThread),
        SoftmaxCase("prefill N=1024 D=64 causal", new(64) { Heads = 8, Causal = true }, Prefill_N1024_D64_Causal.Forward, nameof(Prefill_N1024_D64_Causal), 1024, 1024, Prefill(true), OneThread),
        Gqa(1024, OneThread),
        Window(2048, OneThread),
        DecodeMha(OneAndTwo),
        DecodeGqa(OneThread),
        Linear(4096, OneThread),
    ];

    private static BenchCase Gqa(int n, int[] threads) => SoftmaxCase($"GQA 8/2 N={n} D=128 causal",
        new(128) { Heads = 8, KvHeads = 2, Causal = true }, Gqa8x2_N4096_D128_Causal.Forward, nameof(Gqa8x2_N4096_D128_Causal), n, n,
        // MultiHeadAttention has no KV-head count: it gets K/V repeated to 8 heads once, at setup.
        [OrtCandidate.Attention23(), OrtCandidate.Gqa(), OrtCandidate.Mha(repeatKv: true)], threads);

    // ONNX Runtime has no sliding-window attention op as such. GroupQueryAttention's local_window_size (causal,
    // bottom-right aligned) is the closest; MultiHeadAttention with an additive N×N attention_bias and Attention-23
    // with a boolean N×N attn_mask are masked full attention (tried up to N = 4096, see OrtCandidate.Unsupported).
    private static BenchCase Window(int n, int[] threads) => SoftmaxCase($"sliding window N={n} W=512 D=64 causal",
        new(64) { Heads = 8, Causal = true, Window = 512 }, Window512_N16384_D64_Causal.Forward, nameof(Window512_N16384_D64_Causal), n, n,
        [OrtCandidate.Gqa(), OrtCandidate.Mha(), OrtCandidate.Attention23()], threads);

    private static BenchCase DecodeMha(int[] threads) => SoftmaxCase("decode 1 vs 4096 keys D=128 H=8",
        new(128) { Heads = 8, Causal = true }, Decode_Mha8_K4096_D128.Forward, nameof(Decode_Mha8_K4096_D128), 1, 4096,
        [OrtCandidate.Attention23(), OrtCandidate.Mha()], threads);

    private static BenchCase DecodeGqa(int[] threads) => SoftmaxCase("decode GQA 8/2, 1 vs 4096 keys D=128",
        new(128) { Heads = 8, KvHeads = 2, Causal = true }, Decode_Gqa8x2_K4096_D128.Forward, nameof(Decode_Gqa8x2_K4096_D128), 1, 4096,
        [OrtCandidate.Attention23(), OrtCandidate.Mha(repeatKv: true)], threads);

    private static BenchCase Linear(int n, int[] threads) => new()
    {
        Name = $"linear causal N={n} D=64",
        Config = new(64) { Heads = 8, Causal = true, Kind = AttentionKind.Linear },
        Generated = Linear_N16384_D64_Causal.Forward,
        GeneratedClass = nameof(Linear_N16384_D64_Causal),
        QueryLength = n,
        KeyLength = n,
        OrtCandidates = [],
        NoOrtReason = "ONNX Runtime has no linear-attention op",
        Threads = threads,
    };

    private static BenchCase SoftmaxCase(string name, AttentionConfig config, ForwardFn generated, string generatedClass,
        int queryLength, int keyLength, OrtCandidate[] ort, int[] threads) => new()
    {
        Name = name,
        Config = config,
        Generated = generated,
        GeneratedClass = generatedClass,
        QueryLength = queryLength,
        KeyLength = keyLength,
        OrtCandidates = ort,
        Threads = threads,
    };
}

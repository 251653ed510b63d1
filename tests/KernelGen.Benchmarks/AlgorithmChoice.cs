using System;
using BenchmarkDotNet.Attributes;
using KernelGen;

namespace KernelGen.Benchmarks;

// The two softmax algorithms for one configuration (D=64, 8 heads, causal), so the suite can measure which one
// Algorithm = Auto should pick at which lengths.

[Attention(64, Heads = 8, Causal = true, Algorithm = AttentionAlgorithm.Materialized)]
public static partial class Choice_D64_Causal_Materialized;

[Attention(64, Heads = 8, Causal = true, Algorithm = AttentionAlgorithm.Flash)]
public static partial class Choice_D64_Causal_Flash;

/// <summary>
/// Materialized against flash on one thread, from one-query decoding to prefill, in the same run: the measurement
/// behind the rule <see cref="AttentionAlgorithm.Auto"/> follows. Both outputs are compared before timing.
/// </summary>
public class AlgorithmChoiceBenchmarks
{
    /// <summary>Queries × keys: decode over short and long caches, then square prefills.</summary>
    [Params("1x64", "1x512", "1x4096", "16x16", "64x64", "256x256", "1024x1024")]
    public string Shape { get; set; } = "";

    private float[] _q = null!, _k = null!, _v = null!, _output = null!;
    private int _queries, _keys;

    [GlobalSetup]
    public void Setup()
    {
        string[] parts = Shape.Split('x');
        (_queries, _keys) = (int.Parse(parts[0]), int.Parse(parts[1]));
        var random = new Random(_queries * 7919 + _keys);
        _q = Random(random, 8 * _queries * 64);
        _k = Random(random, 8 * _keys * 64);
        _v = Random(random, 8 * _keys * 64);
        _output = new float[_q.Length];
        AttentionParallelism.MaxDegreeOfParallelism = 1;

        var flash = new float[_q.Length];
        Choice_D64_Causal_Flash.Forward(_q, _k, _v, flash, 1, _queries, _keys);
        Choice_D64_Causal_Materialized.Forward(_q, _k, _v, _output, 1, _queries, _keys);
        for (int i = 0; i < flash.Length; i++)
        {
            if (Math.Abs(flash[i] - _output[i]) > 1e-5f)
                throw new InvalidOperationException($"{Shape}: flash and materialized differ at {i}: {flash[i]} vs {_output[i]}.");
        }
    }

    [Benchmark(Baseline = true)]
    public void Flash() => Choice_D64_Causal_Flash.Forward(_q, _k, _v, _output, 1, _queries, _keys);

    [Benchmark]
    public void Materialized() => Choice_D64_Causal_Materialized.Forward(_q, _k, _v, _output, 1, _queries, _keys);

    private static float[] Random(Random random, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
            values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }
}

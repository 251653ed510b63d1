using System;
using System.Globalization;
using System.Linq;

namespace KernelGen.Runtime.Tests;

/// <summary>One call's sizes: equal-length sequences, or per-sequence key lengths when <see cref="KeyLengths"/> is set.</summary>
internal sealed record Shape(int Batch, int QueryLength, int KeyLength, int[]? KeyLengths = null)
{
    /// <summary>Keys as a theory argument: "" for the plain overload, else comma-separated lengths.</summary>
    public string KeyLengthsText => KeyLengths is null ? "" : string.Join(",", KeyLengths);

    public static int[]? ParseKeyLengths(string text) => text.Length == 0
        ? null
        : text.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();

    public override string ToString() => KeyLengths is null
        ? $"batch {Batch}, {QueryLength} queries × {KeyLength} keys"
        : $"batch {Batch}, {QueryLength} queries × {KeyLength} keys, key lengths [{KeyLengthsText}]";
}

/// <summary>Deterministic inputs for a configuration and a shape.</summary>
internal sealed class TestInputs
{
    public TestInputs(AttentionConfig config, Shape shape, int seed, float magnitude = 1f)
    {
        Config = config;
        Shape = shape;
        int kvHeads = config.KvHeads == 0 ? config.Heads : config.KvHeads;
        var random = new Random(seed);
        Q = Uniform(random, shape.Batch * config.Heads * shape.QueryLength * config.HeadDim, magnitude);
        K = Uniform(random, shape.Batch * kvHeads * shape.KeyLength * config.HeadDim, magnitude);
        V = Uniform(random, shape.Batch * kvHeads * shape.KeyLength * config.HeadDim, 1f);
    }

    public AttentionConfig Config { get; }
    public Shape Shape { get; }
    public float[] Q { get; }
    public float[] K { get; }
    public float[] V { get; }

    /// <summary>An output buffer filled with NaN, so an element the kernel never writes fails every comparison.</summary>
    public float[] NewOutput() => Enumerable.Repeat(float.NaN, Q.Length).ToArray();

    /// <summary>Runs <paramref name="kernel"/> on these inputs through the overload the shape asks for.</summary>
    public float[] Run(IAttentionKernel kernel)
    {
        float[] output = NewOutput();
        if (Shape.KeyLengths is null)
            kernel.Forward(Q, K, V, output, Shape.Batch, Shape.QueryLength, Shape.KeyLength);
        else
            kernel.Forward(Q, K, V, output, Shape.Batch, Shape.QueryLength, Shape.KeyLength, Shape.KeyLengths);
        return output;
    }

    /// <summary>
    /// Runs the log-sum-exp overload of <paramref name="kernel"/>; both buffers start as NaN so an element the kernel
    /// never writes fails every comparison.
    /// </summary>
    public (float[] Output, float[] LogSumExp) RunWithLogSumExp(IAttentionKernel kernel)
    {
        float[] output = NewOutput();
        float[] logSumExp = Enumerable.Repeat(float.NaN, Shape.Batch * Config.Heads * Shape.QueryLength).ToArray();
        kernel.Forward(Q, K, V, output, logSumExp, Shape.Batch, Shape.QueryLength, Shape.KeyLength, Shape.KeyLengths);
        return (output, logSumExp);
    }

    public Float64Result Reference()
        => Float64Attention.Forward(Config, Q, K, V, Shape.Batch, Shape.QueryLength, Shape.KeyLength, Shape.KeyLengths);

    /// <summary>Uniform in [−magnitude, magnitude].</summary>
    public static float[] Uniform(Random random, int count, float magnitude)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
            values[i] = magnitude * (float)(random.NextDouble() * 2 - 1);
        return values;
    }
}

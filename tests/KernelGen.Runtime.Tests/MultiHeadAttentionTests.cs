using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace KernelGen.Runtime.Tests;

/// <summary>
/// The MultiHeadAttention layer against a float64 layer written here from its definition: each sequence on its own
/// (no padding at all), projections, per-head attention with Float64Attention's visibility rule, concatenation and
/// output projection. Padded batches must give every sequence exactly that, with zero rows for padding.
/// </summary>
public class MultiHeadAttentionTests
{
    private const int ModelDim = 24;

    /// <summary>
    /// Inputs and weights are uniform in [−1, 1] and weights are scaled by 1/√fan-in, so every intermediate is O(1).
    /// Float accumulation over ≤ 48 terms per projection and ≤ 9 keys rounds at ~1e-6; 2e-5 leaves headroom, while a
    /// wrongly masked key or misplaced head moves outputs by 1e-2 or more.
    /// </summary>
    private const double MaxAbs = 2e-5;

    private static readonly Dictionary<string, AttentionConfig> Configs = new()
    {
        ["MHA full"] = new AttentionConfig(8) { Heads = 3 },
        ["GQA causal window"] = new AttentionConfig(16) { Heads = 6, KvHeads = 3, Causal = true, Window = 4 },
        ["MQA causal"] = new AttentionConfig(8) { Heads = 4, KvHeads = 1, Causal = true },
        ["linear causal"] = new AttentionConfig(8) { Heads = 2, Kind = AttentionKind.Linear, Causal = true },
        ["linear window"] = new AttentionConfig(8) { Heads = 2, Kind = AttentionKind.Linear, Window = 3 },
    };

    public static IEnumerable<object[]> Cases
        => from name in Configs.Keys
           from lengths in new[] { "", "9,4,0,7" }
           select new object[] { name, lengths };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_each_sequence_computed_alone_in_float64(string configName, string lengthsText)
    {
        AttentionConfig config = Configs[configName];
        const int Batch = 4, Seq = 9;
        int[] lengths = lengthsText.Length == 0 ? Enumerable.Repeat(Seq, Batch).ToArray() : lengthsText.Split(',').Select(int.Parse).ToArray();
        var random = new Random(11);
        AttentionProjections projections = RandomProjections(config, random);
        float[] input = Uniform(random, Batch * Seq * ModelDim, 1);
        var layer = new MultiHeadAttention(AttentionKernels.For(config, KernelCatalog.TestAssembly), ModelDim, projections);
        var output = new float[input.Length];
        output.AsSpan().Fill(float.NaN); // every element must be written

        layer.Forward(input, output, Batch, Seq, lengthsText.Length == 0 ? default(ReadOnlySpan<int>) : lengths);

        for (int b = 0; b < Batch; b++)
        {
            double[] expected = LayerAlone(config, projections, input.AsSpan(b * Seq * ModelDim, lengths[b] * ModelDim).ToArray(), lengths[b]);
            for (int i = 0; i < Seq * ModelDim; i++)
            {
                float actual = output[b * Seq * ModelDim + i];
                if (i < lengths[b] * ModelDim)
                    Assert.True(Math.Abs(actual - expected[i]) <= MaxAbs, $"{configName}: sequence {b} token {i / ModelDim} column {i % ModelDim} is {actual:R}, float64 says {expected[i]:R}.");
                else
                    Assert.True(actual == 0f, $"{configName}: sequence {b} token {i / ModelDim} is padding, so its row must be 0, but holds {actual:R}.");
            }
        }
    }

    [Fact]
    public void A_second_call_with_a_smaller_batch_reuses_the_buffers_and_stays_correct()
    {
        AttentionConfig config = Configs["MHA full"];
        var random = new Random(3);
        AttentionProjections projections = RandomProjections(config, random);
        var layer = new MultiHeadAttention(AttentionKernels.For(config, KernelCatalog.TestAssembly), ModelDim, projections);
        float[] large = Uniform(random, 3 * 8 * ModelDim, 1), small = Uniform(random, 5 * ModelDim, 1);
        layer.Forward(large, new float[large.Length], 3, 8);
        var output = new float[small.Length];

        layer.Forward(small, output, 1, 5);

        double[] expected = LayerAlone(config, projections, small, 5);
        for (int i = 0; i < output.Length; i++)
            Assert.True(Math.Abs(output[i] - expected[i]) <= MaxAbs, $"element {i}: {output[i]:R} vs {expected[i]:R}");
    }

    public static TheoryData<string, string> BadArguments => new()
    {
        { "input one short", "input" },
        { "output one short", "output" },
        { "sequenceLengths one short", "sequenceLengths" },
        { "sequence length past sequenceLength", "sequenceLengths" },
        { "negative sequence length", "sequenceLengths" },
        { "batch 0", "batch" },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public void Bad_arguments_throw_naming_the_parameter_and_write_nothing(string problem, string parameter)
    {
        AttentionConfig config = Configs["MHA full"];
        var random = new Random(4);
        var layer = new MultiHeadAttention(AttentionKernels.For(config, KernelCatalog.TestAssembly), ModelDim, RandomProjections(config, random));
        const int Batch = 2, Seq = 5;
        float[] input = Uniform(random, Batch * Seq * ModelDim - (problem == "input one short" ? 1 : 0), 1);
        var output = new float[Batch * Seq * ModelDim - (problem == "output one short" ? 1 : 0)];
        output.AsSpan().Fill(42f);
        int[] lengths = problem switch
        {
            "sequenceLengths one short" => [5],
            "sequence length past sequenceLength" => [6, 2],
            "negative sequence length" => [-1, 2],
            _ => [5, 2],
        };

        var exception = Assert.ThrowsAny<ArgumentException>(() => layer.Forward(input, output, problem == "batch 0" ? 0 : Batch, Seq, lengths));
        Assert.Equal(parameter, exception.ParamName);
        Assert.All(output, o => Assert.Equal(42f, o));
    }

    [Fact]
    public void Projections_that_do_not_fit_the_configuration_are_refused()
    {
        AttentionConfig config = Configs["GQA causal window"];
        AttentionProjections projections = RandomProjections(config, new Random(5));
        var wrong = projections with { KeyBias = new float[config.Heads * config.HeadDim] }; // Heads, not KvHeads, wide
        var exception = Assert.Throws<ArgumentException>(() => new MultiHeadAttention(AttentionKernels.For(config), ModelDim, wrong));
        Assert.Equal("projections", exception.ParamName);
        Assert.Contains("KeyBias", exception.Message);
    }

    /// <summary>One sequence of <paramref name="length"/> tokens through the layer, in float64.</summary>
    private static double[] LayerAlone(AttentionConfig config, AttentionProjections p, float[] input, int length)
    {
        int d = config.HeadDim, heads = config.Heads, kvHeads = config.KvHeads == 0 ? heads : config.KvHeads;
        double scale = config.Scale == 0 ? 1 / Math.Sqrt(d) : config.Scale;
        double[] x = input.Select(f => (double)f).ToArray();
        double[] q = Linear(x, length, ModelDim, p.QueryWeight, p.QueryBias, heads * d);
        double[] k = Linear(x, length, ModelDim, p.KeyWeight, p.KeyBias, kvHeads * d);
        double[] v = Linear(x, length, ModelDim, p.ValueWeight, p.ValueBias, kvHeads * d);
        var concatenated = new double[length * heads * d];
        for (int h = 0; h < heads; h++)
        {
            int g = h / (heads / kvHeads);
            for (int i = 0; i < length; i++)
            {
                var w = new double[length];
                double max = double.NegativeInfinity, total = 0;
                for (int j = 0; j < length; j++)
                {
                    if (!Float64Attention.Sees(config.Causal, config.Window, i, j, length))
                        continue;
                    double s = 0;
                    for (int a = 0; a < d; a++)
                    {
                        double qa = q[i * heads * d + h * d + a], ka = k[j * kvHeads * d + g * d + a];
                        s += config.Kind == AttentionKind.Softmax ? qa * ka : Float64Attention.Phi(qa) * Float64Attention.Phi(ka);
                    }
                    w[j] = config.Kind == AttentionKind.Softmax ? s * scale : s;
                    max = Math.Max(max, w[j]);
                }
                for (int j = 0; j < length; j++)
                {
                    if (!Float64Attention.Sees(config.Causal, config.Window, i, j, length))
                        continue;
                    w[j] = config.Kind == AttentionKind.Softmax ? Math.Exp(w[j] - max) : w[j];
                    total += w[j];
                }
                if (config.Kind == AttentionKind.Linear)
                    total += Float64Attention.LinearEpsilon;
                for (int j = 0; j < length; j++)
                {
                    if (!Float64Attention.Sees(config.Causal, config.Window, i, j, length))
                        continue;
                    for (int a = 0; a < d; a++)
                        concatenated[i * heads * d + h * d + a] += w[j] / total * v[j * kvHeads * d + g * d + a];
                }
            }
        }
        return Linear(concatenated, length, heads * d, p.OutputWeight, p.OutputBias, ModelDim);
    }

    /// <summary>x · W + b in float64, W laid out [in, out].</summary>
    private static double[] Linear(double[] x, int rows, int inWidth, float[] weight, float[] bias, int outWidth)
    {
        var y = new double[rows * outWidth];
        for (int r = 0; r < rows; r++)
        for (int o = 0; o < outWidth; o++)
        {
            double sum = bias[o];
            for (int i = 0; i < inWidth; i++)
                sum += x[r * inWidth + i] * weight[i * outWidth + o];
            y[r * outWidth + o] = sum;
        }
        return y;
    }

    private static AttentionProjections RandomProjections(AttentionConfig config, Random random)
    {
        int queryWidth = config.Heads * config.HeadDim, keyWidth = (config.KvHeads == 0 ? config.Heads : config.KvHeads) * config.HeadDim;
        float inScale = 1 / MathF.Sqrt(ModelDim), outScale = 1 / MathF.Sqrt(queryWidth);
        return new AttentionProjections(
            Uniform(random, ModelDim * queryWidth, inScale), Uniform(random, queryWidth, 0.1f),
            Uniform(random, ModelDim * keyWidth, inScale), Uniform(random, keyWidth, 0.1f),
            Uniform(random, ModelDim * keyWidth, inScale), Uniform(random, keyWidth, 0.1f),
            Uniform(random, queryWidth * ModelDim, outScale), Uniform(random, ModelDim, 0.1f));
    }

    private static float[] Uniform(Random random, int count, float magnitude)
        => Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1) * magnitude).ToArray();
}

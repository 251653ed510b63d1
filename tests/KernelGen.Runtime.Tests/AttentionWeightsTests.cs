using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace KernelGen.Runtime.Tests;

/// <summary>
/// AttentionWeights against the weight matrices of the float64 reference (Float64Attention), across masks, windows,
/// GQA/MQA head mapping, explicit scale, linear attention, padding and empty rows; and against the kernels
/// themselves: the weights applied to V must give the kernel's output.
/// </summary>
public class AttentionWeightsTests
{
    /// <summary>
    /// Weights are accumulated in float64 and stored as float (relative rounding 6e-8 on values ≤ 1); linear
    /// attention's φ is computed in float as the kernels do (≤ 1e-7 relative). 1e-6 covers both with headroom, while
    /// one wrongly masked key moves a row's weights by 1e-2 or more at these sizes.
    /// </summary>
    private const double WeightMaxAbs = 1e-6;

    private static readonly Dictionary<string, AttentionConfig> Configs = new()
    {
        ["softmax full"] = new AttentionConfig(8) { Heads = 2 },
        ["softmax GQA causal window"] = new AttentionConfig(16) { Heads = 6, KvHeads = 3, Causal = true, Window = 4 },
        ["softmax MQA window"] = new AttentionConfig(8) { Heads = 4, KvHeads = 1, Window = 3 },
        ["softmax scale 2"] = new AttentionConfig(24) { Scale = 2.0 },
        ["linear causal"] = new AttentionConfig(16) { Heads = 2, Kind = AttentionKind.Linear, Causal = true },
        ["linear window"] = new AttentionConfig(8) { Heads = 2, Kind = AttentionKind.Linear, Window = 5 },
    };

    private static readonly Shape[] Shapes =
    [
        new(2, 7, 7),
        new(3, 6, 9, [9, 4, 0]), // a full sequence, a padded one (queries past its keys), and one with no keys
    ];

    public static IEnumerable<object[]> Cases
        => from name in Configs.Keys from shape in Enumerable.Range(0, Shapes.Length) select new object[] { name, shape };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_row_of_every_head_matches_the_float64_weights(string configName, int shapeIndex)
    {
        AttentionConfig config = Configs[configName];
        Shape shape = Shapes[shapeIndex];
        var inputs = new TestInputs(config, shape, seed: 5);
        Float64Result reference = Float64Attention.Forward(config, inputs.Q, inputs.K, inputs.V, shape.Batch, shape.QueryLength, shape.KeyLength, shape.KeyLengths);
        int[] heads = Enumerable.Range(0, config.Heads).ToArray(), rows = Enumerable.Range(0, shape.QueryLength).ToArray();

        for (int b = 0; b < shape.Batch; b++)
        {
            float[] weights = Compute(config, inputs, b, heads, rows);
            for (int h = 0; h < config.Heads; h++)
            for (int i = 0; i < shape.QueryLength; i++)
            {
                int row = (b * config.Heads + h) * shape.QueryLength + i;
                ReadOnlySpan<float> actual = weights.AsSpan((h * shape.QueryLength + i) * shape.KeyLength, shape.KeyLength);
                for (int j = 0; j < shape.KeyLength; j++)
                {
                    double expected = reference.Weights[row * shape.KeyLength + j];
                    Assert.True(Math.Abs(actual[j] - expected) <= WeightMaxAbs,
                        $"{configName}, {shape}: sequence {b} head {h} row {i} key {j} is {actual[j]:R}, float64 says {expected:R}.");
                }
                double sum = 0;
                foreach (float w in actual)
                    sum += w;
                if (reference.EmptyRows[row])
                    Assert.True(actual.IndexOfAnyExcept(0f) < 0, $"{configName}, {shape}: row {row} sees no key, so its weights must all be 0.");
                else
                    Assert.True(Math.Abs(sum - 1) <= 1e-5, $"{configName}, {shape}: row {row} sums to {sum:R}, not 1."); // 128 float roundings and linear ε/Σ ≤ 1e-6
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Weights_applied_to_values_give_the_kernels_output(string configName, int shapeIndex)
    {
        AttentionConfig config = Configs[configName];
        Shape shape = Shapes[shapeIndex];
        var inputs = new TestInputs(config, shape, seed: 9);
        IAttentionKernel kernel = AttentionKernels.For(config, KernelCatalog.TestAssembly);
        var output = new float[inputs.Q.Length];
        if (shape.KeyLengths is null)
            kernel.Forward(inputs.Q, inputs.K, inputs.V, output, shape.Batch, shape.QueryLength, shape.KeyLength);
        else
            kernel.Forward(inputs.Q, inputs.K, inputs.V, output, shape.Batch, shape.QueryLength, shape.KeyLength, shape.KeyLengths);

        int d = config.HeadDim, kvHeads = config.ResolvedKvHeads;
        int[] heads = Enumerable.Range(0, config.Heads).ToArray(), rows = Enumerable.Range(0, shape.QueryLength).ToArray();
        for (int b = 0; b < shape.Batch; b++)
        {
            float[] weights = Compute(config, inputs, b, heads, rows);
            for (int h = 0; h < config.Heads; h++)
            for (int i = 0; i < shape.QueryLength; i++)
            for (int a = 0; a < d; a++)
            {
                double applied = 0;
                for (int j = 0; j < shape.KeyLength; j++)
                {
                    int valueRow = (b * kvHeads + h / (config.Heads / kvHeads)) * shape.KeyLength + j;
                    applied += weights[(h * shape.QueryLength + i) * shape.KeyLength + j] * (double)inputs.V[valueRow * d + a];
                }
                float kernelOutput = output[((b * config.Heads + h) * shape.QueryLength + i) * d + a];
                // Both sides are within ~1e-6 of float64 (see Accuracy.SoftmaxMaxAbs); 1e-5 as for the kernels.
                Assert.True(Math.Abs(applied - kernelOutput) <= 1e-5,
                    $"{configName}, {shape}: sequence {b} head {h} row {i} dim {a}: weights·V = {applied:R}, kernel {kernelOutput:R}.");
            }
        }
    }

    [Fact]
    public void Chosen_heads_and_rows_are_the_matching_slices_of_the_full_matrix()
    {
        AttentionConfig config = Configs["softmax GQA causal window"];
        var shape = new Shape(2, 6, 9, [9, 5]);
        var inputs = new TestInputs(config, shape, seed: 2);
        int[] allHeads = Enumerable.Range(0, config.Heads).ToArray(), allRows = Enumerable.Range(0, shape.QueryLength).ToArray();
        float[] full = Compute(config, inputs, 1, allHeads, allRows);
        int[] heads = [5, 0, 3], rows = [4, 1];
        float[] chosen = Compute(config, inputs, 1, heads, rows);

        Assert.Equal(heads.Length * rows.Length * shape.KeyLength, chosen.Length);
        for (int hi = 0; hi < heads.Length; hi++)
        for (int ri = 0; ri < rows.Length; ri++)
        {
            Assert.Equal(
                full.AsSpan((heads[hi] * shape.QueryLength + rows[ri]) * shape.KeyLength, shape.KeyLength).ToArray(),
                chosen.AsSpan((hi * rows.Length + ri) * shape.KeyLength, shape.KeyLength).ToArray());
        }
    }

    public static TheoryData<string, string> BadArguments => new()
    {
        { "weights one short", "weights" },
        { "head past Heads", "heads" },
        { "negative head", "heads" },
        { "row past queryLength", "queryRows" },
        { "sequence past batch", "sequence" },
        { "keyLengths one short", "keyLengths" },
        { "k one short", "k" },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public void Bad_arguments_throw_naming_the_parameter_and_write_nothing(string problem, string parameter)
    {
        AttentionConfig config = Configs["softmax full"];
        var shape = new Shape(2, 4, 5);
        var inputs = new TestInputs(config, shape, seed: 1);
        int[] heads = problem switch { "head past Heads" => [config.Heads], "negative head" => [-1], _ => [0, 1] };
        int[] rows = problem == "row past queryLength" ? [shape.QueryLength] : [0, 3];
        float[] k = problem == "k one short" ? inputs.K[..^1] : inputs.K;
        int[] keyLengths = problem == "keyLengths one short" ? [5] : [5, 2];
        int sequence = problem == "sequence past batch" ? 2 : 0;
        var weights = new float[heads.Length * rows.Length * shape.KeyLength - (problem == "weights one short" ? 1 : 0)];
        weights.AsSpan().Fill(42f);

        var exception = Assert.ThrowsAny<ArgumentException>(() => AttentionWeights.Compute(
            config, inputs.Q, k, shape.Batch, shape.QueryLength, shape.KeyLength, keyLengths, sequence, heads, rows, weights));
        Assert.Equal(parameter, exception.ParamName);
        Assert.All(weights, w => Assert.Equal(42f, w));
    }

    /// <summary>
    /// Weights from a kernel's LSE: p = exp(s − lse_kernel) = p_exact · e^δ with |δ| ≤ Accuracy.LogSumExpMaxAbs (1e-5),
    /// so |p − p_exact| ≤ p·|δ|·(1 + |δ|) ≤ 1.0001e-5 for p ≤ 1, plus ≤ 6e-8 for storing a float: 1.01e-5 in all. A row
    /// sums to e^δ, within the same bound of 1.
    /// </summary>
    private const double WeightFromLogSumExpMaxAbs = 1.01e-5;

    public static IEnumerable<object[]> SoftmaxKernelCases()
    {
        foreach (string id in KernelCatalog.AllIds.Where(id => KernelCatalog.Get(id).Config.Kind == AttentionKind.Softmax))
        {
            yield return [id, 0];
            yield return [id, 1];
        }
    }

    [Theory]
    [MemberData(nameof(SoftmaxKernelCases))]
    public void Weights_from_a_kernels_log_sum_exp_match_the_float64_weights(string kernelId, int shapeIndex)
    {
        IAttentionKernel kernel = KernelCatalog.Get(kernelId);
        AttentionConfig config = kernel.Config;
        // Padding with an empty sequence, or equal lengths past one 64-key tile with fewer queries than keys.
        Shape shape = shapeIndex == 0 ? new Shape(3, 6, 9, [9, 4, 0]) : new Shape(1, 20, 70);
        var inputs = new TestInputs(config, shape, seed: 13);
        (_, float[] logSumExp) = inputs.RunWithLogSumExp(kernel);
        Float64Result reference = inputs.Reference();
        int[] heads = Enumerable.Range(0, config.Heads).ToArray(), rows = Enumerable.Range(0, shape.QueryLength).ToArray();

        for (int b = 0; b < shape.Batch; b++)
        {
            var weights = new float[heads.Length * rows.Length * shape.KeyLength];
            AttentionWeights.FromLogSumExp(config, inputs.Q, inputs.K, logSumExp, shape.Batch, shape.QueryLength, shape.KeyLength,
                shape.KeyLengths ?? default(ReadOnlySpan<int>), b, heads, rows, weights);
            for (int h = 0; h < config.Heads; h++)
            for (int i = 0; i < shape.QueryLength; i++)
            {
                int row = (b * config.Heads + h) * shape.QueryLength + i;
                double sum = 0;
                for (int j = 0; j < shape.KeyLength; j++)
                {
                    float actual = weights[(h * shape.QueryLength + i) * shape.KeyLength + j];
                    double expected = reference.Weights[row * shape.KeyLength + j];
                    Assert.True(Math.Abs(actual - expected) <= WeightFromLogSumExpMaxAbs,
                        $"{kernel.Name}, {shape}: sequence {b} head {h} row {i} key {j} is {actual:R}, float64 says {expected:R}.");
                    sum += actual;
                }
                double expectedSum = reference.EmptyRows[row] ? 0 : 1;
                Assert.True(Math.Abs(sum - expectedSum) <= WeightFromLogSumExpMaxAbs,
                    $"{kernel.Name}, {shape}: row {row} sums to {sum:R}, not {expectedSum}.");
            }
        }
    }

    [Fact]
    public void Weights_from_log_sum_exp_reject_linear_attention_and_a_short_log_sum_exp()
    {
        var shape = new Shape(1, 4, 5);
        int[] heads = [0], rows = [0, 1];
        var weights = new float[heads.Length * rows.Length * shape.KeyLength];
        weights.AsSpan().Fill(42f);

        AttentionConfig linear = Configs["linear window"];
        var linearInputs = new TestInputs(linear, shape, seed: 1);
        var exception = Assert.ThrowsAny<ArgumentException>(() => AttentionWeights.FromLogSumExp(linear, linearInputs.Q, linearInputs.K,
            new float[linear.Heads * shape.QueryLength], 1, shape.QueryLength, shape.KeyLength, default, 0, heads, rows, weights));
        Assert.Equal("config", exception.ParamName);

        AttentionConfig softmax = Configs["softmax full"];
        var inputs = new TestInputs(softmax, shape, seed: 1);
        exception = Assert.ThrowsAny<ArgumentException>(() => AttentionWeights.FromLogSumExp(softmax, inputs.Q, inputs.K,
            new float[softmax.Heads * shape.QueryLength - 1], 1, shape.QueryLength, shape.KeyLength, default, 0, heads, rows, weights));
        Assert.Equal("logSumExp", exception.ParamName);
        Assert.All(weights, w => Assert.Equal(42f, w));
    }

    private static float[] Compute(AttentionConfig config, TestInputs inputs, int sequence, int[] heads, int[] rows)
    {
        Shape shape = inputs.Shape;
        var weights = new float[heads.Length * rows.Length * shape.KeyLength];
        AttentionWeights.Compute(config, inputs.Q, inputs.K, shape.Batch, shape.QueryLength, shape.KeyLength,
            shape.KeyLengths ?? default(ReadOnlySpan<int>), sequence, heads, rows, weights);
        return weights;
    }
}

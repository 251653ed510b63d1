using System;
using KernelGen.Runtime.Tests;
using Xunit;

namespace KernelGen.Gpu.Tests;

/// <summary>The log-sum-exp the softmax kernels write, against ln Σ exp(scale · q·k) in float64.</summary>
[Collection(CpuAcceleratorCollection.Name)]
public sealed class LogSumExpTests(CpuAcceleratorFixture fixture)
{
    /// <summary>
    /// |lse − ref| ≤ 2e-5: the kernel computes ln 2 · (max + log2 Σ exp2(s − max)) in fp32, with |lse| ≤ ~10 here, so
    /// its rounding is ~10 ε ≈ 1e-6; one key too many or too few moves a row's lse by ~1e-2.
    /// </summary>
    private const double Bound = 2e-5;

    [Theory]
    [InlineData("Softmax64GqaCausal", 2, 70, 90, "")]
    [InlineData("Softmax40Window5", 1, 45, 20, "")]
    [InlineData("Softmax256Causal", 1, 33, 33, "")]
    [InlineData("Softmax16GqaCausalWindow4", 1, 50, 60, "")]
    // Decoding with 2 groups on the CPU accelerator's one multiprocessor: split-KV, partials merged by the combine kernel.
    [InlineData("Softmax256Causal", 1, 1, 250, "")]
    [InlineData("Softmax128Causal", 1, 2, 250, "")]
    [InlineData("Softmax136Window9", 1, 1, 200, "")]
    // A padded batch (the last sequence has no key at all), and decoding over one, split.
    [InlineData("Softmax64GqaCausal", 3, 40, 70, "70,23,0")]
    [InlineData("Softmax256Causal", 2, 1, 250, "250,97")]
    public void MatchesFloat64(string name, int batch, int queryLength, int keyLength, string keyLengths)
    {
        GpuKernel kernel = GpuKernelCatalog.All[name];
        var inputs = new TestInputs(kernel.Config, new Shape(batch, queryLength, keyLength, Shape.ParseKeyLengths(keyLengths)), seed: 7);

        (float[] output, float[]? logSumExp) = GpuRun.Forward(fixture.Device.Accelerator, kernel, inputs, withLogSumExp: true);

        Accuracy.AssertMatches(name, kernel.Config.Kind, output, inputs.Reference(), kernel.Config.HeadDim);
        double[] expected = Float64LogSumExp(kernel.Config, inputs);
        for (int row = 0; row < expected.Length; row++)
        {
            if (double.IsNegativeInfinity(expected[row]))
                Assert.True(float.IsNegativeInfinity(logSumExp![row]), $"{name}: row {row} sees no key, so its lse must be −∞, but is {logSumExp[row]}.");
            else
                Assert.True(Math.Abs(logSumExp![row] - expected[row]) <= Bound, $"{name}: row {row}: lse {logSumExp[row]}, float64 {expected[row]}.");
        }
    }

    private static double[] Float64LogSumExp(AttentionConfig config, TestInputs inputs)
    {
        Shape shape = inputs.Shape;
        int kvHeads = config.KvHeads == 0 ? config.Heads : config.KvHeads;
        int d = config.HeadDim;
        var result = new double[shape.Batch * config.Heads * shape.QueryLength];
        for (int b = 0; b < shape.Batch; b++)
        for (int h = 0; h < config.Heads; h++)
        for (int i = 0; i < shape.QueryLength; i++)
        {
            int kvHead = h / (config.Heads / kvHeads);
            int validKeys = shape.KeyLengths?[b] ?? shape.KeyLength;
            int position = validKeys - shape.QueryLength + i;
            double max = double.NegativeInfinity, sum = 0;
            var scores = new double[shape.KeyLength];
            for (int j = 0; j < shape.KeyLength; j++)
            {
                scores[j] = double.NegativeInfinity;
                if (!ReferenceAttention.IsVisible(config, position, j, validKeys))
                    continue;
                double dot = 0;
                for (int a = 0; a < d; a++)
                    dot += (double)inputs.Q[((b * config.Heads + h) * shape.QueryLength + i) * d + a] * inputs.K[((b * kvHeads + kvHead) * shape.KeyLength + j) * d + a];
                scores[j] = config.ResolvedScale * dot;
                max = Math.Max(max, scores[j]);
            }
            foreach (double s in scores)
                sum += double.IsNegativeInfinity(s) ? 0 : Math.Exp(s - max);
            result[(b * config.Heads + h) * shape.QueryLength + i] = sum > 0 ? max + Math.Log(sum) : double.NegativeInfinity;
        }
        return result;
    }
}

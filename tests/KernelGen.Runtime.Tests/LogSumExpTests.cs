using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace KernelGen.Runtime.Tests;

/// <summary>
/// The log-sum-exp overload of every softmax kernel: each row's LSE against the float64 reference (−∞ exactly for a
/// row that sees no key), the output bitwise equal to the plain overload's, and its argument checks. Linear kernels
/// have no LSE and say so.
/// </summary>
public sealed class LogSumExpTests
{
    public static IEnumerable<object[]> SoftmaxCases() => KernelAccuracyTests.CasesWhere(config => config.Kind == AttentionKind.Softmax);

    [Theory]
    [MemberData(nameof(SoftmaxCases))]
    public void Log_sum_exp_matches_float64_and_output_is_unchanged(string kernelId, int batch, int queryLength, int keyLength, string keyLengths)
    {
        IAttentionKernel kernel = KernelCatalog.Get(kernelId);
        var shape = new Shape(batch, queryLength, keyLength, Shape.ParseKeyLengths(keyLengths));
        var inputs = new TestInputs(kernel.Config, shape, seed: 5 * batch + 11 * queryLength + keyLength);

        (float[] output, float[] logSumExp) = inputs.RunWithLogSumExp(kernel);

        string label = $"{kernel.Name} on {shape}";
        Accuracy.AssertLogSumExp(label, logSumExp, inputs.Reference());
        // Asking for the LSE must not change a single bit of the output.
        Assert.Equal(inputs.Run(kernel), output);
    }

    public static IEnumerable<object[]> LinearIds()
        => KernelCatalog.AllIds.Where(id => KernelCatalog.Get(id).Config.Kind == AttentionKind.Linear).Select(id => new object[] { id });

    [Theory]
    [MemberData(nameof(LinearIds))]
    public void Linear_kernels_have_no_log_sum_exp(string kernelId)
    {
        IAttentionKernel kernel = KernelCatalog.Get(kernelId);
        var inputs = new TestInputs(kernel.Config, new Shape(1, 4, 4), seed: 3);
        float[] output = inputs.NewOutput();
        Assert.Throws<NotSupportedException>(() => kernel.Forward(inputs.Q, inputs.K, inputs.V, output, new float[kernel.Config.Heads * 4], 1, 4, 4));
        Assert.All(output, value => Assert.True(float.IsNaN(value)));
    }

    public static IEnumerable<object[]> SoftmaxIds()
        => KernelCatalog.AllIds.Where(id => KernelCatalog.Get(id).Config.Kind == AttentionKind.Softmax).Select(id => new object[] { id });

    [Theory]
    [MemberData(nameof(SoftmaxIds))]
    public void Rejects_a_log_sum_exp_of_the_wrong_length_and_writes_nothing(string kernelId)
    {
        IAttentionKernel kernel = KernelCatalog.Get(kernelId);
        var inputs = new TestInputs(kernel.Config, new Shape(2, 5, 9), seed: 4);
        float[] output = inputs.NewOutput();
        // One float short of batch × heads × queryLength.
        float[] logSumExp = Enumerable.Repeat(float.NaN, 2 * kernel.Config.Heads * 5 - 1).ToArray();

        var exception = Assert.Throws<ArgumentException>(() => kernel.Forward(inputs.Q, inputs.K, inputs.V, output, logSumExp, 2, 5, 9));

        Assert.Equal("logSumExp", exception.ParamName);
        Assert.Contains($"2 × {kernel.Config.Heads} × 5", exception.Message, StringComparison.Ordinal);
        Assert.All(output, value => Assert.True(float.IsNaN(value)));
        Assert.All(logSumExp, value => Assert.True(float.IsNaN(value)));
    }

    [Fact]
    public void Causal_kernel_without_key_lengths_rejects_more_queries_than_keys()
    {
        IAttentionKernel kernel = KernelCatalog.Get(KernelCatalog.NameOf(typeof(Kernels.Softmax64Causal)));
        var inputs = new TestInputs(kernel.Config, new Shape(1, 6, 4), seed: 5);
        float[] output = inputs.NewOutput();

        var exception = Assert.Throws<ArgumentException>(() => kernel.Forward(inputs.Q, inputs.K, inputs.V, output, new float[kernel.Config.Heads * 6], 1, 6, 4));

        Assert.Equal("queryLength", exception.ParamName);
        Assert.All(output, value => Assert.True(float.IsNaN(value)));
    }
}

using KernelGen.Gpu.Tests.Kernels;
using KernelGen.Runtime.Tests;
using Xunit;

namespace KernelGen.Gpu.Tests;

/// <summary>Split-KV: when it applies, and that splitting changes nothing beyond rounding.</summary>
[Collection(CpuAcceleratorCollection.Name)]
public sealed class SplitKeyTests(CpuAcceleratorFixture fixture)
{
    [Theory]
    // An H200 (132 multiprocessors) decoding B=1, H=16 over 4096 keys in tiles of 32: 33 shares of ≥ 2 tiles each.
    [InlineData(16, 4096, 32, 132, 33)]
    // Prefill on the same device: 16 heads × 128 query tiles fill it already.
    [InlineData(16 * 128, 2048, 32, 132, 1)]
    // Too few keys to split: every share must hold two tiles.
    [InlineData(1, 100, 64, 132, 1)]
    // The CPU accelerator (one multiprocessor), 2 groups, 250 keys in tiles of 8: 2 shares.
    [InlineData(2, 250, 8, 1, 2)]
    public void SplitCount(long groups, int keyLength, int tileKv, int multiprocessors, int expected)
        => Assert.Equal(expected, AttentionGpu.KeySplits(groups, keyLength, tileKv, multiprocessors));

    [Fact]
    public void DecodingWithSplitsMatchesFloat64AndTheCpuPath()
    {
        var inputs = new TestInputs(Softmax256Causal.Kernel.Instance.Config, new Shape(1, 1, 250), seed: 11);
        Assert.Equal(2, AttentionGpu.KeySplits(2, 250, 8, fixture.Device.Accelerator.NumMultiprocessors));
        float[] gpu = inputs.NewOutput();
        float[] cpu = inputs.NewOutput();

        Softmax256Causal.Gpu.Forward(fixture.Device.Accelerator, inputs.Q, inputs.K, inputs.V, gpu, 1, 1, 250);
        Softmax256Causal.Forward(inputs.Q, inputs.K, inputs.V, cpu, 1, 1, 250);

        Accuracy.AssertMatches("split-KV decode", AttentionKind.Softmax, gpu, inputs.Reference(), 256);
        Accuracy.AssertMaxAbs("split-KV vs CPU", gpu, System.Array.ConvertAll(cpu, x => (double)x), 2 * Accuracy.SoftmaxMaxAbs);
    }
}

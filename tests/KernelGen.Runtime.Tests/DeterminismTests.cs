using System;
using System.Collections.Generic;
using System.Linq;
using KernelGen.Runtime.Tests.Kernels;
using Xunit;

namespace KernelGen.Runtime.Tests;

/// <summary>The same call gives bitwise the same output, whichever way the kernel is reached.</summary>
public sealed class DeterminismTests
{
    [Theory]
    [MemberData(nameof(KernelAccuracyTests.KernelIds), MemberType = typeof(KernelAccuracyTests))]
    public void Two_calls_are_bitwise_identical(string kernelId)
    {
        IAttentionKernel kernel = KernelCatalog.Get(kernelId);
        var inputs = new TestInputs(kernel.Config, new Shape(2, 33, 70), seed: 42);

        float[] first = inputs.Run(kernel);
        float[] second = inputs.Run(kernel);

        AssertBitwiseEqual(first, second, kernel.Name);
        Assert.Contains(first, x => x != 0f);
    }

    /// <summary>Key lengths that are all keyLength are the plain overload, bit for bit.</summary>
    [Theory]
    [MemberData(nameof(KernelAccuracyTests.KernelIds), MemberType = typeof(KernelAccuracyTests))]
    public void Full_key_lengths_equal_the_plain_overload(string kernelId)
    {
        IAttentionKernel kernel = KernelCatalog.Get(kernelId);
        var plain = new TestInputs(kernel.Config, new Shape(2, 21, 40), seed: 8);
        var perSequence = new TestInputs(kernel.Config, new Shape(2, 21, 40, [40, 40]), seed: 8);

        AssertBitwiseEqual(plain.Run(kernel), perSequence.Run(kernel), kernel.Name);
    }

    /// <summary>The class's static Forward, the descriptor's static Forward and the interface agree bit for bit.</summary>
    [Fact]
    public void Every_entry_point_of_a_generated_kernel_agrees()
    {
        var inputs = new TestInputs(Softmax64GqaCausalTile32x8.Kernel.Instance.Config, new Shape(2, 30, 50), seed: 4);
        float[] viaInterface = inputs.Run(Softmax64GqaCausalTile32x8.Kernel.Instance);
        float[] viaClass = inputs.NewOutput();
        Softmax64GqaCausalTile32x8.Forward(inputs.Q, inputs.K, inputs.V, viaClass, 2, 30, 50);
        float[] viaDescriptor = inputs.NewOutput();
        Softmax64GqaCausalTile32x8.Kernel.Forward(inputs.Q, inputs.K, inputs.V, viaDescriptor, 2, 30, 50);
        float[] viaRegistry = inputs.Run(AttentionKernels.For(inputs.Config, KernelCatalog.TestAssembly));

        AssertBitwiseEqual(viaInterface, viaClass, "class Forward");
        AssertBitwiseEqual(viaInterface, viaDescriptor, "Kernel.Forward");
        AssertBitwiseEqual(viaInterface, viaRegistry, "AttentionKernels.For");
    }

    private static void AssertBitwiseEqual(float[] expected, float[] actual, string label)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                $"{label}: element {i} is {expected[i]:R} once and {actual[i]:R} the other time");
        }
    }
}

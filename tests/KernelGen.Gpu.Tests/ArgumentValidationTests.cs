using System;
using System.Collections.Generic;
using System.Linq;
using ILGPU;
using ILGPU.Runtime;
using KernelGen.Gpu.Tests.Kernels;
using Xunit;

namespace KernelGen.Gpu.Tests;

/// <summary>
/// Bad calls to the GPU entry points throw the CPU path's <see cref="ArgumentException"/> (same parameter, same
/// message) before anything is launched or copied: the output, filled with a sentinel, comes back untouched.
/// </summary>
[Collection(CpuAcceleratorCollection.Name)]
public sealed class ArgumentValidationTests(CpuAcceleratorFixture fixture)
{
    private const float Sentinel = 123f;
    private const int Batch = 2, QueryLength = 5, KeyLength = 7;

    /// <summary>A bad call: what it changes from a valid one, and the parameter the exception must name.</summary>
    private sealed record BadCall(string ExpectedParam, int QDelta = 0, int KDelta = 0, int VDelta = 0, int OutputDelta = 0,
        int Batch = Batch, int QueryLength = QueryLength, int KeyLength = KeyLength, int[]? KeyLengths = null);

    private static readonly Dictionary<string, BadCall> BadCalls = new()
    {
        ["q one short"] = new("q", QDelta: -1),
        ["k one long"] = new("k", KDelta: 1),
        ["v a row short"] = new("v", VDelta: -64),
        ["output one short"] = new("output", OutputDelta: -1),
        ["batch 0"] = new("batch", Batch: 0),
        ["batch larger than the spans"] = new("q", Batch: Batch + 1),
        ["queryLength -2"] = new("queryLength", QueryLength: -2),
        ["keyLength 0"] = new("keyLength", KeyLength: 0),
        // q and output sized for KeyLength + 1 = 8 queries, so only the causal rule is broken.
        ["queryLength > keyLength under Causal"] = new("queryLength", QDelta: Batch * 8 * 3 * 64, OutputDelta: Batch * 8 * 3 * 64, QueryLength: KeyLength + 1),
        ["keyLengths one short"] = new("keyLengths", KeyLengths: [KeyLength]),
        ["keyLengths entry past keyLength"] = new("keyLengths", KeyLengths: [KeyLength, KeyLength + 1]),
        ["keyLengths entry negative"] = new("keyLengths", KeyLengths: [-1, 3]),
    };

    public static IEnumerable<object[]> Cases() => BadCalls.Keys.Select(name => new object[] { name });

    // Softmax64GqaCausal: 8 query heads, 2 key/value heads of 64 floats.
    private static (float[] Q, float[] K, float[] V, float[] Output) Tensors(BadCall call) => (
        new float[Batch * 8 * QueryLength * 64 + call.QDelta],
        new float[Batch * 2 * KeyLength * 64 + call.KDelta],
        new float[Batch * 2 * KeyLength * 64 + call.VDelta],
        Enumerable.Repeat(Sentinel, Batch * 8 * QueryLength * 64 + call.OutputDelta).ToArray());

    [Theory]
    [MemberData(nameof(Cases))]
    public void HostSpansThrowTheCpuPathsExceptionAndLeaveOutputUntouched(string name)
    {
        BadCall call = BadCalls[name];
        (float[] q, float[] k, float[] v, float[] output) = Tensors(call);

        // The host overload's key lengths are optional (empty: none), as in the CPU's log-sum-exp overload.
        var gpu = Assert.ThrowsAny<ArgumentException>(() => Softmax64GqaCausal.Gpu.Forward(
            fixture.Device.Accelerator, q, k, v, output, call.Batch, call.QueryLength, call.KeyLength, call.KeyLengths));
        var cpu = Assert.ThrowsAny<ArgumentException>(() =>
        {
            if (call.KeyLengths is null)
                Softmax64GqaCausal.Forward(q, k, v, output, call.Batch, call.QueryLength, call.KeyLength);
            else
                Softmax64GqaCausal.Forward(q, k, v, output, call.Batch, call.QueryLength, call.KeyLength, call.KeyLengths);
        });

        Assert.Equal(call.ExpectedParam, gpu.ParamName);
        Assert.Equal(cpu.GetType(), gpu.GetType());
        Assert.Equal(cpu.Message, gpu.Message);
        Assert.All(output, x => Assert.Equal(Sentinel, x));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ViewsThrowBeforeLaunchingAndLeaveOutputUntouched(string name)
    {
        BadCall call = BadCalls[name];
        Accelerator accelerator = fixture.Device.Accelerator;
        using var tensors = new DeviceTensors(accelerator, call);

        var thrown = Assert.ThrowsAny<ArgumentException>(() =>
        {
            if (call.KeyLengths is null)
                Softmax64GqaCausal.Gpu.Forward(accelerator, tensors.Q.View, tensors.K.View, tensors.V.View, tensors.Output.View, call.Batch, call.QueryLength, call.KeyLength);
            else
                Softmax64GqaCausal.Gpu.Forward(accelerator, tensors.Q.View, tensors.K.View, tensors.V.View, tensors.Output.View, call.Batch, call.QueryLength, call.KeyLength, call.KeyLengths);
        });

        Assert.Equal(call.ExpectedParam, thrown.ParamName);
        tensors.AssertOutputUntouched();
    }

    /// <summary>The overload that takes key lengths wants one per sequence, as the CPU's does: empty is not "none".</summary>
    [Fact]
    public void ViewOverloadWithKeyLengthsRejectsAnEmptySpan()
    {
        (float[] q, float[] k, float[] v, float[] output) = Tensors(new BadCall(""));
        Accelerator accelerator = fixture.Device.Accelerator;
        using var tensors = new DeviceTensors(accelerator, new BadCall(""));

        var gpu = Assert.ThrowsAny<ArgumentException>(() => Softmax64GqaCausal.Gpu.Forward(accelerator,
            tensors.Q.View, tensors.K.View, tensors.V.View, tensors.Output.View, Batch, QueryLength, KeyLength, ReadOnlySpan<int>.Empty));
        var cpu = Assert.ThrowsAny<ArgumentException>(() => Softmax64GqaCausal.Forward(q, k, v, output, Batch, QueryLength, KeyLength, ReadOnlySpan<int>.Empty));

        Assert.Equal("keyLengths", gpu.ParamName);
        Assert.Equal(cpu.Message, gpu.Message);
        tensors.AssertOutputUntouched();
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    public void LogSumExpOfTheWrongLengthThrows(int delta)
    {
        Accelerator accelerator = fixture.Device.Accelerator;
        using var tensors = new DeviceTensors(accelerator, new BadCall(""));
        using var logSumExp = accelerator.Allocate1D<float>(Batch * 8 * QueryLength + delta);

        var thrown = Assert.ThrowsAny<ArgumentException>(() => Softmax64GqaCausal.Gpu.Forward(accelerator,
            tensors.Q.View, tensors.K.View, tensors.V.View, tensors.Output.View, logSumExp.View, Batch, QueryLength, KeyLength));

        Assert.Equal("logSumExp", thrown.ParamName);
        Assert.Contains($"= {Batch * 8 * QueryLength} floats, but holds {Batch * 8 * QueryLength + delta}", thrown.Message, StringComparison.Ordinal);
        tensors.AssertOutputUntouched();
    }

    /// <summary>A call's q, k, v and sentinel-filled output on the accelerator.</summary>
    private sealed class DeviceTensors : IDisposable
    {
        private readonly Accelerator accelerator;

        public DeviceTensors(Accelerator accelerator, BadCall call)
        {
            this.accelerator = accelerator;
            (float[] q, float[] k, float[] v, float[] output) = Tensors(call);
            Q = accelerator.Allocate1D(q);
            K = accelerator.Allocate1D(k);
            V = accelerator.Allocate1D(v);
            Output = accelerator.Allocate1D(output);
        }

        public MemoryBuffer1D<float, Stride1D.Dense> Q { get; }
        public MemoryBuffer1D<float, Stride1D.Dense> K { get; }
        public MemoryBuffer1D<float, Stride1D.Dense> V { get; }
        public MemoryBuffer1D<float, Stride1D.Dense> Output { get; }

        /// <summary>Waits for anything launched, then checks that the output still holds the sentinel everywhere.</summary>
        public void AssertOutputUntouched()
        {
            accelerator.Synchronize();
            Assert.All(Output.GetAsArray1D(), x => Assert.Equal(Sentinel, x));
        }

        public void Dispose()
        {
            Q.Dispose();
            K.Dispose();
            V.Dispose();
            Output.Dispose();
        }
    }
}

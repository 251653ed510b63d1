using System;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;
using KernelGen.Gpu.Tests.Kernels;
using KernelGen.Runtime.Tests;
using Xunit;

namespace KernelGen.Gpu.Tests;

/// <summary>The host-span overload, the kernel cache and the accelerator chooser.</summary>
[Collection(CpuAcceleratorCollection.Name)]
public sealed class HostApiTests(CpuAcceleratorFixture fixture)
{
    [Fact]
    public void HostSpanOverloadMatchesFloat64Reference()
    {
        var inputs = new TestInputs(Softmax64GqaCausal.Kernel.Instance.Config, new Shape(2, 37, 61), seed: 3);
        float[] output = inputs.NewOutput();

        Softmax64GqaCausal.Gpu.Forward(fixture.Device.Accelerator, inputs.Q, inputs.K, inputs.V, output, 2, 37, 61);

        Accuracy.AssertMatches("host spans", AttentionKind.Softmax, output, inputs.Reference(), 64);
    }

    [Fact]
    public void HostSpanOverloadOfNestedInstanceClassMatchesReference()
    {
        var inputs = new TestInputs(Outer.NestedInstanceCausal.Kernel.Instance.Config, new Shape(1, 20, 20), seed: 4);
        float[] output = inputs.NewOutput();

        Outer.NestedInstanceCausal.Gpu.Forward(fixture.Device.Accelerator, inputs.Q, inputs.K, inputs.V, output, 1, 20, 20);

        Accuracy.AssertMatches("nested", AttentionKind.Softmax, output, inputs.Reference(), 32);
    }

    [Fact]
    public void GpuAndCpuPathsAgree()
    {
        // Both against each other as well as against float64: same layout, same alignment, same empty-row zeros.
        var inputs = new TestInputs(Softmax40Window5.Kernel.Instance.Config, new Shape(1, 45, 20), seed: 5);
        float[] gpu = inputs.NewOutput();
        float[] cpu = inputs.NewOutput();

        Softmax40Window5.Gpu.Forward(fixture.Device.Accelerator, inputs.Q, inputs.K, inputs.V, gpu, 1, 45, 20);
        Softmax40Window5.Forward(inputs.Q, inputs.K, inputs.V, cpu, 1, 45, 20);

        Accuracy.AssertMaxAbs("GPU vs CPU", gpu, Array.ConvertAll(cpu, x => (double)x), 2 * Accuracy.SoftmaxMaxAbs);
    }

    [Fact]
    public void KernelIsLoadedOncePerAcceleratorAndConfiguration()
    {
        int loads = 0;
        Func<Accelerator, Action> load = _ => { loads++; return () => { }; };
        Accelerator accelerator = fixture.Device.Accelerator;

        Action first = GpuKernelCache.GetOrLoad(accelerator, typeof(HostApiTests), "probe", load);
        Action second = GpuKernelCache.GetOrLoad(accelerator, typeof(HostApiTests), "probe", load);
        GpuKernelCache.GetOrLoad(accelerator, typeof(HostApiTests), "another kernel", load);
        GpuKernelCache.GetOrLoad(accelerator, typeof(KernelAccuracyTests), "probe", load);

        Assert.Same(first, second);
        Assert.Equal(3, loads);
    }

    [Fact]
    public void ChooserFallsBackToTheCpuAcceleratorWhenThereIsNoGpu()
    {
        using AttentionGpuDevice device = AttentionGpuDevice.CreateBest();

        // CI machines have no CUDA or OpenCL device; on one that has, the chooser must have picked it.
        AcceleratorType expected = device.Context.GetCudaDevices().Count > 0 ? AcceleratorType.Cuda
            : device.Context.GetCLDevices().Count > 0 ? AcceleratorType.OpenCL
            : AcceleratorType.CPU;
        Assert.Equal(expected, device.Kind);
        Assert.StartsWith(expected.ToString(), device.Description, StringComparison.Ordinal);
        if (device.Accelerator is ILGPU.Runtime.CPU.CPUAccelerator cpu)
        {
            Assert.Equal(32, cpu.WarpSize);
            Assert.Equal(128, cpu.MaxNumThreadsPerGroup);
        }
    }
}

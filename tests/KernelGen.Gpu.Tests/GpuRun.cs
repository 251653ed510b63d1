using System.Linq;
using ILGPU;
using ILGPU.Runtime;
using KernelGen.Runtime.Tests;

namespace KernelGen.Gpu.Tests;

/// <summary>Runs a generated kernel through its view overloads: inputs uploaded, outputs pre-filled with NaN.</summary>
internal static class GpuRun
{
    /// <summary>The output, and the log-sum-exp when <paramref name="withLogSumExp"/> (softmax kernels only).</summary>
    public static (float[] Output, float[]? LogSumExp) Forward(Accelerator accelerator, GpuKernel kernel, TestInputs inputs, bool withLogSumExp = false)
    {
        Shape shape = inputs.Shape;
        using MemoryBuffer1D<float, Stride1D.Dense> q = accelerator.Allocate1D(inputs.Q);
        using MemoryBuffer1D<float, Stride1D.Dense> k = accelerator.Allocate1D(inputs.K);
        using MemoryBuffer1D<float, Stride1D.Dense> v = accelerator.Allocate1D(inputs.V);
        // NaN everywhere, so an element the kernel never writes fails every comparison.
        using MemoryBuffer1D<float, Stride1D.Dense> output = accelerator.Allocate1D(inputs.NewOutput());
        int rows = shape.Batch * kernel.Config.Heads * shape.QueryLength;
        using MemoryBuffer1D<float, Stride1D.Dense> logSumExp = accelerator.Allocate1D(Enumerable.Repeat(float.NaN, rows).ToArray());

        object[] sizes = [shape.Batch, shape.QueryLength, shape.KeyLength];
        if (withLogSumExp)
        {
            kernel.ForwardWithLogSumExp!.Invoke(null,
                [accelerator, (ArrayView<float>)q.View, (ArrayView<float>)k.View, (ArrayView<float>)v.View, (ArrayView<float>)output.View, (ArrayView<float>)logSumExp.View, .. sizes]);
        }
        else
        {
            kernel.ForwardOnViews.Invoke(null,
                [accelerator, (ArrayView<float>)q.View, (ArrayView<float>)k.View, (ArrayView<float>)v.View, (ArrayView<float>)output.View, .. sizes]);
        }
        accelerator.Synchronize();
        return (output.GetAsArray1D(), withLogSumExp ? logSumExp.GetAsArray1D() : null);
    }
}

using System.Linq;
using ILGPU;
using ILGPU.Runtime;
using KernelGen.Runtime.Tests;

namespace KernelGen.Gpu.Tests;

/// <summary>Runs a generated kernel through its view overloads: inputs uploaded, outputs pre-filled with NaN.</summary>
internal static class GpuRun
{
    /// <summary>
    /// The output, and the log-sum-exp when <paramref name="withLogSumExp"/> (softmax kernels only). q, k and v are
    /// views <paramref name="offset"/> floats into their buffers (0: whole buffers, which start 16-byte aligned); the
    /// shape's key lengths, when it has them, go to the overload that takes them.
    /// </summary>
    public static (float[] Output, float[]? LogSumExp) Forward(Accelerator accelerator, GpuKernel kernel, TestInputs inputs,
        bool withLogSumExp = false, int offset = 0)
    {
        Shape shape = inputs.Shape;
        using MemoryBuffer1D<float, Stride1D.Dense> q = accelerator.Allocate1D(new float[offset].Concat(inputs.Q).ToArray());
        using MemoryBuffer1D<float, Stride1D.Dense> k = accelerator.Allocate1D(new float[offset].Concat(inputs.K).ToArray());
        using MemoryBuffer1D<float, Stride1D.Dense> v = accelerator.Allocate1D(new float[offset].Concat(inputs.V).ToArray());
        ArrayView<float> qView = ((ArrayView<float>)q.View).SubView(offset), kView = ((ArrayView<float>)k.View).SubView(offset), vView = ((ArrayView<float>)v.View).SubView(offset);
        // NaN everywhere, so an element the kernel never writes fails every comparison.
        using MemoryBuffer1D<float, Stride1D.Dense> output = accelerator.Allocate1D(inputs.NewOutput());
        int rows = shape.Batch * kernel.Config.Heads * shape.QueryLength;
        using MemoryBuffer1D<float, Stride1D.Dense> logSumExp = accelerator.Allocate1D(Enumerable.Repeat(float.NaN, rows).ToArray());

        if (withLogSumExp)
        {
            kernel.ForwardWithLogSumExp!(accelerator, qView, kView, vView, output.View, logSumExp.View,
                shape.Batch, shape.QueryLength, shape.KeyLength, shape.KeyLengths);
        }
        else if (shape.KeyLengths is not null)
        {
            kernel.ForwardWithKeyLengths(accelerator, qView, kView, vView, output.View, shape.Batch, shape.QueryLength, shape.KeyLength, shape.KeyLengths);
        }
        else
        {
            kernel.ForwardOnViews.Invoke(null,
                [accelerator, qView, kView, vView, (ArrayView<float>)output.View, shape.Batch, shape.QueryLength, shape.KeyLength]);
        }
        accelerator.Synchronize();
        return (output.GetAsArray1D(), withLogSumExp ? logSumExp.GetAsArray1D() : null);
    }
}

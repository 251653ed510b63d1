using System;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace KernelGen.Gpu;

/// <summary>
/// An ILGPU context and the one accelerator the generated GPU kernels run on. <see cref="CreateBest"/> prefers a
/// CUDA device, then an OpenCL device, then ILGPU's CPU accelerator, which runs the same kernels with no GPU
/// (slowly: each group's threads are real threads). <see cref="Description"/> tells which was chosen.
/// </summary>
public sealed class AttentionGpuDevice : IDisposable
{
    private AttentionGpuDevice(Context context, Accelerator accelerator)
    {
        Context = context;
        Accelerator = accelerator;
    }

    /// <summary>The ILGPU context, with ILGPU.Algorithms enabled (the kernels call XMath).</summary>
    public Context Context { get; }

    /// <summary>The accelerator to pass to a generated <c>Gpu.Forward</c>.</summary>
    public Accelerator Accelerator { get; }

    /// <summary>Cuda, OpenCL or CPU.</summary>
    public AcceleratorType Kind => Accelerator.AcceleratorType;

    /// <summary>The chosen accelerator in words, e.g. "Cuda: NVIDIA H200".</summary>
    public string Description => $"{Accelerator.AcceleratorType}: {Accelerator.Name}";

    /// <summary>
    /// The CPU accelerator the chooser falls back to: 32 threads per warp, 4 warps per multiprocessor, 1
    /// multiprocessor (groups of up to 128 threads), its groups run in parallel.
    /// </summary>
    public static CPUDevice CpuFallback() => new(32, 4, 1);

    /// <summary>CUDA if the machine has a CUDA device, else OpenCL if it has one ILGPU supports, else the CPU accelerator.</summary>
    public static AttentionGpuDevice CreateBest()
    {
        Context context = Context.Create(builder => builder.Cuda().OpenCL().CPU(CpuFallback()).EnableAlgorithms());
        try
        {
            Device device = context.GetCudaDevices().Count > 0 ? context.GetCudaDevices()[0]
                : context.GetCLDevices().Count > 0 ? context.GetCLDevices()[0]
                : context.GetCPUDevice(0);
            return new AttentionGpuDevice(context, Create(device, context));
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>The CPU accelerator alone, whatever else the machine has: what the tests run on.</summary>
    public static AttentionGpuDevice CreateCpu()
    {
        Context context = Context.Create(builder => builder.CPU(CpuFallback()).EnableAlgorithms());
        return new AttentionGpuDevice(context, Create(context.GetCPUDevice(0), context));
    }

    private static Accelerator Create(Device device, Context context) => device is CPUDevice cpu
        ? cpu.CreateCPUAccelerator(context, CPUAcceleratorMode.Parallel)
        : device.CreateAccelerator(context);

    /// <summary>Disposes the accelerator (and the kernels loaded on it), then the context.</summary>
    public void Dispose()
    {
        Accelerator.Dispose();
        Context.Dispose();
    }
}

using System.Reflection;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace KernelGen.Gpu;

/// <summary>
/// A generated kernel (a <c>Gpu.AttentionKernel</c> method) as PTX, compiled in-process by ILGPU's PTX backend: no GPU
/// and no CUDA driver needed. For reading what the driver will be given, counting instructions, or feeding ptxas.
/// </summary>
public static class GpuPtx
{
    /// <summary>A fresh context per compilation, so the PTX's value numbering does not depend on what ran before.</summary>
    public static string Compile(MethodInfo kernel, CudaArchitecture architecture, CudaInstructionSet instructionSet)
    {
        using Context context = Context.Create(builder => builder.EnableAlgorithms());
        using var backend = new PTXBackend(context, new CudaCapabilityContext(architecture), architecture, instructionSet, nvvmAPI: null);
        var compiled = (PTXCompiledKernel)backend.Compile(EntryPointDescription.FromExplicitlyGroupedKernel(kernel), new KernelSpecialization());
        return compiled.PTXAssembly;
    }
}

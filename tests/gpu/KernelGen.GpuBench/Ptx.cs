using System;
using System.Reflection;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace KernelGen.GpuBench;

/// <summary>A configuration's generated kernel as PTX for SM_90, compiled in-process as the tests do.</summary>
internal static class Ptx
{
    public static string Compile(Type configuration)
    {
        MethodInfo kernel = configuration.GetNestedType("Gpu")!.GetMethod("AttentionKernel")!;
        using Context context = Context.Create(builder => builder.EnableAlgorithms());
        using var backend = new PTXBackend(context, new CudaCapabilityContext(CudaArchitecture.SM_90), CudaArchitecture.SM_90,
            CudaInstructionSet.ISA_83, nvvmAPI: null);
        var compiled = (PTXCompiledKernel)backend.Compile(EntryPointDescription.FromExplicitlyGroupedKernel(kernel), new KernelSpecialization());
        return compiled.PTXAssembly;
    }
}

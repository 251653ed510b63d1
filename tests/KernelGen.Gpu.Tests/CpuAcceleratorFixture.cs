using System;
using Xunit;

namespace KernelGen.Gpu.Tests;

/// <summary>
/// One CPU accelerator for the whole test assembly: creating one starts its 128 threads, and kernels loaded on it
/// stay cached for every test.
/// </summary>
public sealed class CpuAcceleratorFixture : IDisposable
{
    public AttentionGpuDevice Device { get; } = AttentionGpuDevice.CreateCpu();

    public void Dispose() => Device.Dispose();
}

[CollectionDefinition(Name)]
public sealed class CpuAcceleratorCollection : ICollectionFixture<CpuAcceleratorFixture>
{
    public const string Name = "CPU accelerator";
}

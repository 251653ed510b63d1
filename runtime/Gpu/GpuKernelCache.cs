using System;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using ILGPU.Runtime;

namespace KernelGen.Gpu;

/// <summary>
/// Loaded kernels, per accelerator and per (configuration, kernel): loading compiles the kernel for the device, which
/// takes from a fraction of a second to seconds, so each is loaded once and the launcher delegate reused. An entry
/// goes when its accelerator is collected.
/// </summary>
public static class GpuKernelCache
{
    private static readonly ConditionalWeakTable<Accelerator, ConcurrentDictionary<(Type, string), Lazy<Delegate>>> Loaded = new();

    /// <summary>
    /// The launcher of kernel <paramref name="kernel"/> of <paramref name="configuration"/> on
    /// <paramref name="accelerator"/>; <paramref name="load"/> runs once per accelerator, also under concurrent calls.
    /// </summary>
    public static TLauncher GetOrLoad<TLauncher>(Accelerator accelerator, Type configuration, string kernel, Func<Accelerator, TLauncher> load)
        where TLauncher : Delegate
    {
        ConcurrentDictionary<(Type, string), Lazy<Delegate>> loaded = Loaded.GetOrCreateValue(accelerator);
        Lazy<Delegate> entry = loaded.GetOrAdd((configuration, kernel), _ => new Lazy<Delegate>(() => load(accelerator)));
        return (TLauncher)entry.Value;
    }
}

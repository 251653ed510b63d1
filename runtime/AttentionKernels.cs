using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;

namespace KernelGen;

/// <summary>
/// Lists the kernels an assembly generated and picks one for a configuration chosen at run time, falling back to
/// the <see cref="GenericAttentionKernel"/> when none was declared. Results are cached per assembly and configuration.
/// </summary>
public static class AttentionKernels
{
    private static readonly ConcurrentDictionary<Assembly, IReadOnlyList<IAttentionKernel>> GeneratedByAssembly = new();
    private static readonly ConcurrentDictionary<AttentionConfig, GenericAttentionKernel> GenericByConfig = new();

    /// <summary>The kernels generated in <paramref name="assembly"/>, in declaration order of the files.</summary>
    public static IReadOnlyList<IAttentionKernel> GeneratedIn(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        return GeneratedByAssembly.GetOrAdd(assembly, static a => a
            .GetCustomAttributes<GeneratedAttentionKernelAttribute>()
            .Select(attribute => (IAttentionKernel)Activator.CreateInstance(attribute.KernelType)!)
            .ToArray());
    }

    /// <summary>
    /// A kernel that computes <paramref name="config"/>: the first kernel generated in <paramref name="assembly"/>
    /// that serves it (see <see cref="AttentionConfig.Serves"/>), else the generic kernel for it.
    /// </summary>
    /// <exception cref="ArgumentException">The configuration breaks a rule of <see cref="AttentionAttribute"/>.</exception>
    public static IAttentionKernel For(AttentionConfig config, Assembly? assembly = null)
    {
        config.Validate(nameof(config));
        if (assembly is not null)
        {
            foreach (IAttentionKernel kernel in GeneratedIn(assembly))
            {
                if (kernel.Config.Serves(config))
                    return kernel;
            }
        }
        return GenericByConfig.GetOrAdd(config, static c => new GenericAttentionKernel(c));
    }
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;
using Xunit;

namespace KernelGen.Runtime.Tests;

/// <summary>
/// The kernels the tests run, named by a string so theory cases stay readable and distinct: a generated kernel by its
/// Name (the class's full name), a generic one as "generic#i" for <see cref="GenericConfigs"/>[i].
/// </summary>
internal static class KernelCatalog
{
    public static Assembly TestAssembly => typeof(KernelCatalog).Assembly;

    public static IReadOnlyList<IAttentionKernel> Generated => AttentionKernels.GeneratedIn(TestAssembly);

    /// <summary>Configurations no class declares, so AttentionKernels.For serves them with the generic kernel.</summary>
    public static readonly AttentionConfig[] GenericConfigs =
    [
        new(8) { Heads = 3 },
        new(40) { Heads = 3, Window = 4 },
        new(64) { Heads = 4, KvHeads = 2, Causal = true, Window = 6 },
        new(128) { Heads = 4, KvHeads = 1, Causal = true, Scale = 0.2 },
        new(48) { Heads = 2, Causal = true, Algorithm = AttentionAlgorithm.Flash, TileQ = 16, TileKv = 16 },
        new(16) { Heads = 2, Kind = AttentionKind.Linear },
        new(32) { Heads = 2, KvHeads = 1, Window = 3, Kind = AttentionKind.Linear },
        new(64) { Heads = 4, KvHeads = 2, Causal = true, Window = 5, Kind = AttentionKind.Linear },
    ];

    private const string GenericPrefix = "generic#";

    public static IEnumerable<string> GeneratedIds => Generated.Select(k => k.Name);

    public static IEnumerable<string> GenericIds
        => Enumerable.Range(0, GenericConfigs.Length).Select(i => GenericPrefix + i.ToString(CultureInfo.InvariantCulture));

    public static IEnumerable<string> AllIds => GeneratedIds.Concat(GenericIds);

    public static IAttentionKernel Get(string id)
    {
        if (id.StartsWith(GenericPrefix, StringComparison.Ordinal))
            return new GenericAttentionKernel(GenericConfigs[int.Parse(id.AsSpan(GenericPrefix.Length), CultureInfo.InvariantCulture)]);
        IAttentionKernel? kernel = Generated.SingleOrDefault(k => k.Name == id);
        Assert.NotNull(kernel);
        return kernel;
    }

    /// <summary>The classes in this assembly that carry [Attention].</summary>
    public static IEnumerable<Type> DeclaredTypes
        => TestAssembly.GetTypes().Where(t => t.GetCustomAttribute<AttentionAttribute>() is not null);

    /// <summary>A type's name as the generator reports it: namespace and containing types joined by dots.</summary>
    public static string NameOf(Type type) => type.FullName!.Replace('+', '.');
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using KernelGen.Runtime.Tests.Kernels;
using Xunit;

namespace KernelGen.Runtime.Tests;

/// <summary>
/// Listing and dispatch: <see cref="AttentionKernels.GeneratedIn"/> finds every declared class, each generated
/// kernel reports its attribute's configuration with the defaults resolved, and <see cref="AttentionKernels.For"/>
/// picks the generated kernel when one serves the request and a correct generic kernel otherwise.
/// </summary>
public sealed class DispatchTests
{
    /// <summary>Every class DeclaredKernels.cs declares, by the name the generator gives it.</summary>
    private static readonly string[] DeclaredNames =
    [
        "KernelGen.Runtime.Tests.Kernels.Softmax8Full",
        "KernelGen.Runtime.Tests.Kernels.Softmax8CausalTile8",
        "KernelGen.Runtime.Tests.Kernels.Softmax8GqaCausalTile256",
        "KernelGen.Runtime.Tests.Kernels.Softmax16GqaCausalWindow4",
        "KernelGen.Runtime.Tests.Kernels.Softmax24Scale2Tile8x128",
        "KernelGen.Runtime.Tests.Kernels.Softmax32CausalWindow3Tile32",
        "KernelGen.Runtime.Tests.Kernels.Softmax40Window5Tile16x32",
        "KernelGen.Runtime.Tests.Kernels.Softmax40GqaCausalWindow1",
        "KernelGen.Runtime.Tests.Kernels.Softmax64Causal",
        "KernelGen.Runtime.Tests.Kernels.Softmax64GqaCausalTile32x8",
        "KernelGen.Runtime.Tests.Kernels.Softmax64MqaCausalWindow16",
        "KernelGen.Runtime.Tests.Kernels.Softmax64WideWindowTile128",
        "KernelGen.Runtime.Tests.Kernels.Softmax64CausalWideWindow",
        "KernelGen.Runtime.Tests.Kernels.Softmax64Window1",
        "KernelGen.Runtime.Tests.Kernels.Softmax64Window2Tile128",
        "KernelGen.Runtime.Tests.Kernels.Softmax128CausalTile64x32",
        "KernelGen.Runtime.Tests.Kernels.Softmax128MqaScale",
        "KernelGen.Runtime.Tests.Kernels.Softmax256CausalTile16x64",
        "KernelGen.Runtime.Tests.Kernels.Softmax256Window7Tile128x8",
        "KernelGen.Runtime.Tests.Kernels.Softmax64CausalMaterialized",
        "KernelGen.Runtime.Tests.Kernels.Softmax64Window1Materialized",
        "KernelGen.Runtime.Tests.Kernels.Softmax16GqaCausalWindow4Materialized",
        "KernelGen.Runtime.Tests.Kernels.Softmax128GqaWindow9Materialized",
        "KernelGen.Runtime.Tests.Kernels.Softmax256MqaMaterializedScale",
        "KernelGen.Runtime.Tests.Kernels.Softmax40CausalWideWindowMaterialized",
        "KernelGen.Runtime.Tests.Kernels.Linear8Full",
        "KernelGen.Runtime.Tests.Kernels.Linear40GqaCausal",
        "KernelGen.Runtime.Tests.Kernels.Linear64CausalWindow8",
        "KernelGen.Runtime.Tests.Kernels.Linear64MqaWindow5",
        "KernelGen.Runtime.Tests.Kernels.Linear128MqaCausalWindow1",
        "KernelGen.Runtime.Tests.Kernels.Linear256Causal",
        "KernelGen.Runtime.Tests.Kernels.Linear16WideWindow",
        "KernelGen.Runtime.Tests.Kernels.Linear8CausalMaterialized",
        "KernelGen.Runtime.Tests.Kernels.Linear64CausalWindow8Materialized",
        "KernelGen.Runtime.Tests.Kernels.Linear64FullMaterialized",
        "KernelGen.Runtime.Tests.Kernels.Linear128Window1Materialized",
        "KernelGen.Runtime.Tests.Kernels.Linear256MqaWideWindowMaterialized",
        "KernelGen.Runtime.Tests.Kernels.InstanceClassKernel",
        "KernelGen.Runtime.Tests.Kernels.Outer.NestedWindow2",
        "GlobalNamespaceLinearKernel",
    ];

    [Fact]
    public void GeneratedIn_lists_every_declared_class_once()
    {
        IReadOnlyList<IAttentionKernel> kernels = AttentionKernels.GeneratedIn(KernelCatalog.TestAssembly);

        Assert.Equal(40, DeclaredNames.Length);
        Assert.Equal(DeclaredNames.Length, kernels.Count);
        Assert.Equal(DeclaredNames.Order(StringComparer.Ordinal), kernels.Select(k => k.Name).Order(StringComparer.Ordinal));
        // The same set, found independently by reflection over the classes that carry [Attention].
        Assert.Equal(KernelCatalog.DeclaredTypes.Select(KernelCatalog.NameOf).Order(StringComparer.Ordinal),
            kernels.Select(k => k.Name).Order(StringComparer.Ordinal));
        Assert.Same(kernels, AttentionKernels.GeneratedIn(KernelCatalog.TestAssembly));
    }

    [Fact]
    public void GeneratedIn_an_assembly_without_kernels_is_empty()
    {
        Assert.Empty(AttentionKernels.GeneratedIn(typeof(AttentionKernels).Assembly));
        Assert.Empty(AttentionKernels.GeneratedIn(typeof(FactAttribute).Assembly));
        Assert.Throws<ArgumentNullException>("assembly", () => AttentionKernels.GeneratedIn(null!));
    }

    public static IEnumerable<object[]> DeclaredTypeNames()
        => KernelCatalog.DeclaredTypes.Select(t => new object[] { KernelCatalog.NameOf(t) });

    /// <summary>
    /// A generated kernel's Config is its attribute with the defaults resolved: KvHeads 0 → Heads; softmax Scale 0 →
    /// 1/√HeadDim (linear: 0); softmax Auto → Flash with tiles chosen (a power of two from 8 to 256, the declared one
    /// where declared); Materialized and linear keep no tiles.
    /// </summary>
    [Theory]
    [MemberData(nameof(DeclaredTypeNames))]
    public void Config_is_the_attribute_with_defaults_resolved(string typeName)
    {
        Type type = KernelCatalog.DeclaredTypes.Single(t => KernelCatalog.NameOf(t) == typeName);
        AttentionAttribute a = type.GetCustomAttribute<AttentionAttribute>()!;
        IAttentionKernel kernel = KernelCatalog.Get(typeName);
        AttentionConfig c = kernel.Config;

        bool softmax = a.Kind == AttentionKind.Softmax;
        bool flash = softmax && a.Algorithm != AttentionAlgorithm.Materialized;
        Assert.Equal(a.HeadDim, c.HeadDim);
        Assert.Equal(a.Heads, c.Heads);
        Assert.Equal(a.KvHeads == 0 ? a.Heads : a.KvHeads, c.KvHeads);
        Assert.Equal(a.Causal, c.Causal);
        Assert.Equal(a.Window, c.Window);
        Assert.Equal(a.Kind, c.Kind);
        Assert.Equal(flash ? AttentionAlgorithm.Flash : a.Algorithm, c.Algorithm);
        if (flash)
        {
            Assert.True(a.TileQ == 0 ? IsTile(c.TileQ) : c.TileQ == a.TileQ, $"TileQ {c.TileQ} for declared {a.TileQ}");
            Assert.True(a.TileKv == 0 ? IsTile(c.TileKv) : c.TileKv == a.TileKv, $"TileKv {c.TileKv} for declared {a.TileKv}");
        }
        else
        {
            Assert.Equal(0, c.TileQ);
            Assert.Equal(0, c.TileKv);
        }
        Assert.Equal(softmax ? (a.Scale == 0 ? 1 / Math.Sqrt(a.HeadDim) : a.Scale) : 0, c.Scale);
        c.Validate();

        // The nested Kernel type is what the registry instantiated, and its Instance reports the same.
        Type kernelType = type.GetNestedType("Kernel")!;
        Assert.IsType(kernelType, kernel);
        var instance = (IAttentionKernel)kernelType.GetField("Instance")!.GetValue(null)!;
        Assert.Equal(c, instance.Config);
        Assert.Equal(typeName, instance.Name);

        static bool IsTile(int t) => t >= 8 && t <= 256 && (t & (t - 1)) == 0;
    }

    [Fact]
    public void Generated_constants_are_resolved()
    {
        Assert.Equal(64, Softmax64GqaCausalTile32x8.Kernel.HeadDim);
        Assert.Equal(8, Softmax64GqaCausalTile32x8.Kernel.Heads);
        Assert.Equal(2, Softmax64GqaCausalTile32x8.Kernel.KvHeads);
        Assert.Equal(4, Softmax64GqaCausalTile32x8.Kernel.GroupSize);
        Assert.Equal(32, Softmax64GqaCausalTile32x8.Kernel.TileQ);
        Assert.Equal(8, Softmax64GqaCausalTile32x8.Kernel.TileKv);
        Assert.Equal(4, Softmax64Causal.Kernel.KvHeads);
        Assert.Equal(1, Softmax64Causal.Kernel.GroupSize);
        Assert.Equal(0.125, Softmax64Causal.Kernel.Instance.Config.Scale);
        Assert.Equal(1, Linear256Causal.Kernel.KvHeads);
    }

    /// <summary>Each generated kernel is what For returns for its own configuration, as reported.</summary>
    [Theory]
    [MemberData(nameof(DeclaredTypeNames))]
    public void For_returns_the_generated_kernel_for_its_own_config(string typeName)
    {
        IAttentionKernel kernel = KernelCatalog.Get(typeName);
        IAttentionKernel found = AttentionKernels.For(kernel.Config, KernelCatalog.TestAssembly);
        if (kernel.Config.Algorithm != AttentionAlgorithm.Auto)
        {
            Assert.Same(kernel, found);
        }
        else
        {
            // A linear Auto request may be served by a materialized linear kernel of the same settings: same result.
            Assert.NotEqual("generic", found.Name);
            Assert.True(found.Config.Serves(kernel.Config));
        }
    }

    /// <summary>For also finds a generated kernel from the request the attribute itself spells, defaults unresolved.</summary>
    [Theory]
    [MemberData(nameof(DeclaredTypeNames))]
    public void For_returns_a_generated_kernel_for_the_attribute_as_written(string typeName)
    {
        AttentionAttribute a = KernelCatalog.DeclaredTypes.Single(t => KernelCatalog.NameOf(t) == typeName)
            .GetCustomAttribute<AttentionAttribute>()!;
        var request = new AttentionConfig(a.HeadDim)
        {
            Heads = a.Heads, KvHeads = a.KvHeads, Causal = a.Causal, Window = a.Window, Kind = a.Kind,
            Algorithm = a.Algorithm, TileQ = a.TileQ, TileKv = a.TileKv, Scale = a.Scale,
        };
        IAttentionKernel found = AttentionKernels.For(request, KernelCatalog.TestAssembly);
        Assert.NotEqual("generic", found.Name);
        Assert.True(found.Config.Serves(request));
        if (a.TileQ != 0 || a.Algorithm == AttentionAlgorithm.Materialized)
            Assert.Equal(typeName, found.Name);
    }

    public static IEnumerable<object[]> ServedRequests()
    {
        // Auto and no tiles: the one declared flash kernel of these settings.
        yield return [new AttentionConfig(64) { Heads = 8, KvHeads = 2, Causal = true }, "Softmax64GqaCausalTile32x8"];
        // KvHeads spelled out, and the default scale spelled out: still the declared kernels.
        yield return [new AttentionConfig(64) { Heads = 4, KvHeads = 4, Causal = true, Algorithm = AttentionAlgorithm.Flash }, "Softmax64Causal"];
        yield return [new AttentionConfig(64) { Heads = 4, Causal = true, Scale = 0.125, Algorithm = AttentionAlgorithm.Materialized }, "Softmax64CausalMaterialized"];
        // Only one tile given.
        yield return [new AttentionConfig(64) { Heads = 8, KvHeads = 2, Causal = true, TileQ = 32 }, "Softmax64GqaCausalTile32x8"];
        yield return [new AttentionConfig(256) { Window = 7, TileKv = 8 }, "Softmax256Window7Tile128x8"];
        // Explicit scale equal to the declared one.
        yield return [new AttentionConfig(128) { Heads = 4, KvHeads = 1, Scale = 0.05 }, "Softmax128MqaScale"];
        // Linear, materialized requested.
        yield return [new AttentionConfig(128) { Heads = 2, Window = 1, Kind = AttentionKind.Linear, Algorithm = AttentionAlgorithm.Materialized }, "Linear128Window1Materialized"];
        yield return [new AttentionConfig(8) { Heads = 4, KvHeads = 1, Causal = true, Window = 3, Kind = AttentionKind.Linear }, "GlobalNamespaceLinearKernel"];
    }

    [Theory]
    [MemberData(nameof(ServedRequests))]
    public void For_returns_the_declared_kernel_that_serves_a_request(AttentionConfig request, string className)
    {
        IAttentionKernel found = AttentionKernels.For(request, KernelCatalog.TestAssembly);
        Assert.Equal(className, found.Name.Split('.').Last());
    }

    public static IEnumerable<object[]> UndeclaredRequests()
    {
        foreach (AttentionConfig config in KernelCatalog.GenericConfigs)
            yield return [config];
        // Declared only as flash: materialized is another kernel.
        yield return [new AttentionConfig(64) { Heads = 8, KvHeads = 2, Causal = true, Algorithm = AttentionAlgorithm.Materialized }];
        // Declared with other tiles.
        yield return [new AttentionConfig(64) { Heads = 8, KvHeads = 2, Causal = true, TileQ = 16 }];
        // A different scale, window, head count, kv head count, causality or kind than any declaration.
        yield return [new AttentionConfig(128) { Heads = 4, KvHeads = 1, Scale = 0.06 }];
        yield return [new AttentionConfig(64) { Heads = 4, Causal = true, Window = 2 }];
        yield return [new AttentionConfig(64) { Heads = 5, Causal = true }];
        yield return [new AttentionConfig(64) { Heads = 8, KvHeads = 4, Causal = true }];
        yield return [new AttentionConfig(64) { Heads = 4 }];
        yield return [new AttentionConfig(64) { Heads = 4, Causal = true, Kind = AttentionKind.Linear }];
    }

    [Theory]
    [MemberData(nameof(UndeclaredRequests))]
    public void For_falls_back_to_the_generic_kernel(AttentionConfig request)
    {
        IAttentionKernel found = AttentionKernels.For(request, KernelCatalog.TestAssembly);
        Assert.Equal("generic", found.Name);
        Assert.IsType<GenericAttentionKernel>(found);
        Assert.Equal(request, found.Config);
        // Without an assembly, even a declared configuration gets the generic kernel.
        Assert.Equal("generic", AttentionKernels.For(Softmax64Causal.Kernel.Instance.Config).Name);
    }

    /// <summary>The generic kernel For hands out computes correctly (here on top of the generic cases in KernelAccuracyTests).</summary>
    [Theory]
    [MemberData(nameof(UndeclaredRequests))]
    public void The_generic_kernel_from_For_matches_the_reference(AttentionConfig request)
    {
        IAttentionKernel kernel = AttentionKernels.For(request, KernelCatalog.TestAssembly);
        foreach (Shape shape in new Shape[] { new(2, 19, 33), new(3, 6, 24, [24, 3, 0]) })
        {
            var inputs = new TestInputs(request, shape, seed: 11);
            Accuracy.AssertMatches($"{request} on {shape}", request.Kind, inputs.Run(kernel), inputs.Reference(), request.HeadDim);
        }
    }

    public static IEnumerable<object[]> InvalidConfigs()
    {
        AttentionConfig[] configs =
        [
            new(0), new(12), new(264), new(-8),
            new(64) { Heads = 0 },
            new(64) { Heads = -1 },
            new(64) { Heads = 8, KvHeads = 3 },
            new(64) { Heads = 2, KvHeads = 4 },
            new(64) { KvHeads = -1 },
            new(64) { Window = -1 },
            new(64) { Kind = (AttentionKind)7 },
            new(64) { Algorithm = (AttentionAlgorithm)9 },
            new(64) { TileQ = 12 },
            new(64) { TileKv = 4 },
            new(64) { TileQ = 512 },
            new(64) { Algorithm = AttentionAlgorithm.Materialized, TileQ = 16 },
            new(64) { Kind = AttentionKind.Linear, TileKv = 16 },
            new(64) { Kind = AttentionKind.Linear, Algorithm = AttentionAlgorithm.Flash },
            new(64) { Kind = AttentionKind.Linear, Scale = 0.5 },
            new(64) { Scale = -1 },
            new(64) { Scale = double.NaN },
            new(64) { Scale = double.PositiveInfinity },
        ];
        return configs.Select(c => new object[] { c });
    }

    [Theory]
    [MemberData(nameof(InvalidConfigs))]
    public void Invalid_configs_are_rejected(AttentionConfig config)
    {
        var exception = Assert.ThrowsAny<ArgumentException>(() => AttentionKernels.For(config, KernelCatalog.TestAssembly));
        Assert.Equal("config", exception.ParamName);
        exception = Assert.ThrowsAny<ArgumentException>(() => AttentionKernels.For(config));
        Assert.Equal("config", exception.ParamName);
        exception = Assert.ThrowsAny<ArgumentException>(() => new GenericAttentionKernel(config));
        Assert.Equal("config", exception.ParamName);
    }
}

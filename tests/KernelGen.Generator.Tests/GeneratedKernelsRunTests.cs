using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using Xunit;

namespace KernelGen.Generator.Tests;

/// <summary>
/// The snapshot kernels, compiled and loaded: the assembly registration lists every one of them, and each computes
/// what the float64 reference computes. A snapshot shows the code; this shows the code is right.
/// </summary>
public sealed class GeneratedKernelsRunTests
{
    private static readonly Lazy<Assembly> ScenarioAssembly = new(() =>
    {
        string[] sources = Scenarios.All.Values.Select(scenario => scenario.Source).ToArray();
        GeneratorRun run = GeneratorHarness.RunAndCompile(sources.Length, sources);
        using var stream = new MemoryStream();
        Assert.True(run.Output.Emit(stream).Success);
        stream.Position = 0;
        // Its own load context; KernelGen.Runtime resolves to the one this test already loaded, so the types match.
        return new AssemblyLoadContext("GeneratedScenarios").LoadFromStream(stream);
    });

    private static IAttentionKernel Kernel(string name)
        => Assert.Single(AttentionKernels.GeneratedIn(ScenarioAssembly.Value), kernel => kernel.Name == name);

    [Fact]
    public void EveryScenarioIsRegistered()
    {
        IEnumerable<string> expected = Scenarios.All.Values
            .Select(scenario => scenario.HintName.Substring(0, scenario.HintName.Length - ".Attention.g.cs".Length))
            .OrderBy(name => name, StringComparer.Ordinal);
        IEnumerable<string> registered = AttentionKernels.GeneratedIn(ScenarioAssembly.Value)
            .Select(kernel => kernel.Name)
            .OrderBy(name => name, StringComparer.Ordinal);
        Assert.Equal(expected, registered);
    }

    /// <summary>
    /// 70 queries over 75 keys: crosses the 64-row query tile and the 64-key tile of the default flash tiles, and
    /// leaves 5 keys before the first query. The second batch entry has only 40 valid keys, fewer than the queries,
    /// so under a causal mask its first 30 rows see no key and must be zero.
    /// </summary>
    [Theory]
    [MemberData(nameof(Scenarios.Names), MemberType = typeof(Scenarios))]
    public void ScenarioKernelMatchesTheReference(string scenario)
    {
        string hint = Scenarios.All[scenario].HintName;
        IAttentionKernel kernel = Kernel(hint.Substring(0, hint.Length - ".Attention.g.cs".Length));
        AttentionConfig config = kernel.Config;
        const int batch = 2, queryLength = 70, keyLength = 75;
        int[] keyLengths = [keyLength, 40];

        var random = new Random(scenario.Length); // any fixed seed: the data only has to be the same each run
        float[] q = Values(random, batch * config.Heads * queryLength * config.HeadDim);
        float[] k = Values(random, batch * config.ResolvedKvHeads * keyLength * config.HeadDim);
        float[] v = Values(random, k.Length);

        var output = new float[q.Length];
        kernel.Forward(q, k, v, output, batch, queryLength, keyLength);
        AssertClose(ReferenceAttention.Forward(config, q, k, v, batch, queryLength, keyLength), output);

        output.AsSpan().Fill(float.NaN); // every element must be written, zero rows included
        kernel.Forward(q, k, v, output, batch, queryLength, keyLength, keyLengths);
        AssertClose(ReferenceAttention.Forward(config, q, k, v, batch, queryLength, keyLength, keyLengths), output);
    }

    private static float[] Values(Random random, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
            values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }

    /// <summary>1e-4: float32 accumulation over at most 75 keys of 128 dims, against float64, on values in [−1, 1].</summary>
    private static void AssertClose(double[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
            worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]));
        Assert.True(worst < 1e-4, $"max |error| {worst}");
    }
}

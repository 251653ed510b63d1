using System.Collections.Generic;
using System.Linq;
using KernelGen.Runtime.Tests;
using Xunit;

namespace KernelGen.Gpu.Tests;

/// <summary>
/// Every generated GPU kernel on the CPU accelerator against the float64 reference, with the CPU kernels' bounds
/// (Accuracy.cs): shapes that are no multiple of any group or tile size, GQA/MQA head mappings, decoding (a few
/// queries against many keys), padded batches (per-sequence key lengths, one of them 0), and, without a causal mask,
/// more queries than keys, which leaves rows that see no key.
/// </summary>
[Collection(CpuAcceleratorCollection.Name)]
public sealed class KernelAccuracyTests(CpuAcceleratorFixture fixture)
{
    public static IEnumerable<object[]> Cases()
    {
        foreach (GpuKernel kernel in GpuKernelCatalog.All.Values.OrderBy(k => k.Name, System.StringComparer.Ordinal))
        {
            // 2 × 100 rows: crosses every rows-per-group (4 to 64) and tile (8 to 64) boundary.
            yield return [kernel.Name, 2, 100, 100, ""];
            // Decoding: 3 queries, the last positions of 130 keys.
            yield return [kernel.Name, 1, 3, 130, ""];
            if (kernel.Config.Causal)
                yield return [kernel.Name, 1, 45, 150, ""];
            else
                // 45 queries over 20 keys: the first queries sit at negative positions; a window leaves them no key.
                yield return [kernel.Name, 1, 45, 20, ""];
            // A padded batch: each sequence's own key length, the last one with none (its rows output zeros).
            yield return [kernel.Name, 3, 40, 70, "70,23,0"];
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesFloat64Reference(string name, int batch, int queryLength, int keyLength, string keyLengths)
    {
        GpuKernel kernel = GpuKernelCatalog.All[name];
        var inputs = new TestInputs(kernel.Config, new Shape(batch, queryLength, keyLength, Shape.ParseKeyLengths(keyLengths)),
            seed: queryLength * 31 + keyLength);

        float[] output = GpuRun.Forward(fixture.Device.Accelerator, kernel, inputs).Output;

        Accuracy.AssertMatches($"{name}, {inputs.Shape}", kernel.Config.Kind, output, inputs.Reference(), kernel.Config.HeadDim);
    }

    /// <summary>
    /// Views that start one float past a 16-byte boundary: the kernels then stage their tiles one float per load
    /// (AttentionGpuParameters.VectorLoads = 0), a path that whole-buffer views never take.
    /// </summary>
    [Theory]
    [InlineData("Softmax64GqaCausal")]
    [InlineData("Softmax256Causal")]
    [InlineData("Linear40GqaCausal")]
    public void ViewsOffTheVectorBoundaryMatchFloat64Reference(string name)
    {
        GpuKernel kernel = GpuKernelCatalog.All[name];
        var inputs = new TestInputs(kernel.Config, new Shape(2, 70, 70), seed: 7);

        float[] output = GpuRun.Forward(fixture.Device.Accelerator, kernel, inputs, offset: 1).Output;

        Accuracy.AssertMatches($"{name}, {inputs.Shape}, views at +1 float", kernel.Config.Kind, output, inputs.Reference(), kernel.Config.HeadDim);
    }

    /// <summary>The catalog finds kernels by their Gpu class: a declared class without one would go untested.</summary>
    [Fact]
    public void EveryDeclaredConfigurationHasAGpuKernel()
    {
        string[] declared = typeof(KernelAccuracyTests).Assembly.GetTypes()
            .Where(type => type.GetCustomAttributes(typeof(AttentionAttribute), inherit: false).Length > 0)
            .Select(type => type.Name)
            .Order(System.StringComparer.Ordinal)
            .ToArray();

        Assert.Equal(17, declared.Length);
        Assert.Equal(declared, GpuKernelCatalog.All.Keys.Order(System.StringComparer.Ordinal));
    }
}

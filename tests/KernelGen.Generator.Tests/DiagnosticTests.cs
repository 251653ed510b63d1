using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace KernelGen.Generator.Tests;

/// <summary>
/// One test per diagnostic: a minimal misuse reports exactly that ID, as an error, on the offending attribute
/// argument (or on the class name for the class-shape rules), and generates nothing for the class.
/// </summary>
public sealed class DiagnosticTests
{
    /// <summary>A static partial class C in namespace Diagnosed, carrying <c>[Attention(<paramref name="arguments"/>)]</c>.</summary>
    private static string Kernel(string arguments) => $$"""
        using KernelGen;

        namespace Diagnosed;

        [Attention({{arguments}})]
        public static partial class C;
        """;

    /// <summary>
    /// Runs the generator on <paramref name="source"/> and checks it reports one <paramref name="id"/> error whose
    /// location covers exactly <paramref name="locatedText"/>, with <paramref name="messagePart"/> in its message.
    /// </summary>
    private static void AssertReports(string id, string locatedText, string source, string? messagePart = null)
    {
        GeneratorRun run = GeneratorHarness.Run(source);

        Assert.Null(run.Result.Results[0].Exception);
        Diagnostic diagnostic = Assert.Single(run.Result.Diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(locatedText, GeneratorHarness.TextAt(run.Input, diagnostic.Location));
        if (messagePart is not null)
            Assert.Contains(messagePart, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));

        // The line span travels beside the span through the pipeline; both must name the same text.
        SyntaxTree tree = run.Input.SyntaxTrees.Single();
        LinePositionSpan expectedLines = tree.GetLineSpan(diagnostic.Location.SourceSpan).Span;
        Assert.Equal(expectedLines, diagnostic.Location.GetLineSpan().Span);

        Assert.Empty(run.Sources);
    }

    [Fact]
    public void KG0001_ClassNotPartial() => AssertReports("KG0001", "C", """
        using KernelGen;

        namespace Diagnosed;

        [Attention(64)]
        public static class C
        {
        }
        """, "'C'");

    [Fact]
    public void KG0002_ContainingTypeNotPartial() => AssertReports("KG0002", "C", """
        using KernelGen;

        namespace Diagnosed;

        public class Outer
        {
            [Attention(64)]
            public static partial class C;
        }
        """, "'Outer'");

    [Fact]
    public void KG0016_FileLocalClass() => AssertReports("KG0016", "C", """
        using KernelGen;

        namespace Diagnosed;

        [Attention(64)]
        file static partial class C;
        """, "'file'");

    [Fact]
    public void KG0017_ClassNamedKernel() => AssertReports("KG0017", "Kernel", """
        using KernelGen;

        namespace Diagnosed;

        [Attention(64)]
        public static partial class Kernel;
        """, "'Kernel'");

    [Fact]
    public void KG0017_ClassDeclaresKernelMember() => AssertReports("KG0017", "C", """
        using KernelGen;

        namespace Diagnosed;

        [Attention(64)]
        public partial class C
        {
            public int Kernel => 1;
        }
        """, "'C'");

    [Fact]
    public void KG0017_ClassNamedGpu() => AssertReports("KG0017", "Gpu", """
        using KernelGen;

        namespace Diagnosed;

        [Attention(64)]
        public static partial class Gpu;
        """, "member named 'Gpu'");

    [Fact]
    public void KG0017_ClassDeclaresGpuMember() => AssertReports("KG0017", "C", """
        using KernelGen;

        namespace Diagnosed;

        [Attention(64)]
        public partial class C
        {
            public static void Gpu() { }
        }
        """, "member named 'Gpu', which the generated code needs");

    [Fact]
    public void KG0003_GenericClass() => AssertReports("KG0003", "C", """
        using KernelGen;

        namespace Diagnosed;

        [Attention(64)]
        public partial class C<T>;
        """, "'C'");

    [Fact]
    public void KG0003_NestedInGenericType() => AssertReports("KG0003", "C", """
        using KernelGen;

        namespace Diagnosed;

        public partial class Outer<T>
        {
            [Attention(64)]
            public static partial class C;
        }
        """, "'C'");

    // 0 is below the minimum of 8, 12 is not a multiple of 8, 264 = 256 + 8 is one step past the maximum.
    [Theory]
    [InlineData("0", "0")]
    [InlineData("12", "12")]
    [InlineData("264", "264")]
    [InlineData("headDim: 12", "12")]
    public void KG0004_HeadDimOutOfRange(string argument, string value)
        => AssertReports("KG0004", argument, Kernel(argument), $"but is {value}");

    [Fact]
    public void KG0005_HeadsNotPositive() => AssertReports("KG0005", "Heads = 0", Kernel("64, Heads = 0"), "but is 0");

    [Fact]
    public void KG0006_KvHeadsNegative() => AssertReports("KG0006", "KvHeads = -1", Kernel("64, Heads = 8, KvHeads = -1"), "but is -1");

    [Fact]
    public void KG0007_HeadsNotMultipleOfKvHeads()
        => AssertReports("KG0007", "KvHeads = 3", Kernel("64, Heads = 8, KvHeads = 3"), "Heads (8) must be a multiple of KvHeads (3)");

    [Fact]
    public void KG0008_NegativeWindow() => AssertReports("KG0008", "Window = -1", Kernel("64, Causal = true, Window = -1"), "but is -1");

    // 12 is not a power of two; 512 is a power of two past the maximum of 256; 4 is a power of two below the minimum of 8.
    [Theory]
    [InlineData("TileQ = 12", "TileQ", "12")]
    [InlineData("TileKv = 512", "TileKv", "512")]
    [InlineData("TileQ = 4", "TileQ", "4")]
    public void KG0009_InvalidTile(string argument, string name, string value)
        => AssertReports("KG0009", argument, Kernel("64, " + argument), $"{name} must be 0 (generator's choice) or a power of two from 8 to 256, but is {value}");

    [Theory]
    [InlineData("Scale = 0", "0")]
    [InlineData("Scale = -1", "-1")]
    [InlineData("Scale = double.NaN", "NaN")]
    [InlineData("Scale = double.PositiveInfinity", "Infinity")]
    [InlineData("Scale = double.NegativeInfinity", "-Infinity")]
    public void KG0010_InvalidScale(string argument, string value)
        => AssertReports("KG0010", argument, Kernel("64, " + argument), $"but is {value};");

    [Theory]
    [InlineData("TileQ = 32")]
    [InlineData("TileKv = 16")]
    public void KG0011_TilesWithMaterialized(string argument)
        => AssertReports("KG0011", argument, Kernel("64, Algorithm = AttentionAlgorithm.Materialized, " + argument));

    [Fact]
    public void KG0012_ScaleWithLinear()
        => AssertReports("KG0012", "Scale = 0.5", Kernel("64, Kind = AttentionKind.Linear, Scale = 0.5"));

    [Fact]
    public void KG0013_FlashWithLinear()
        => AssertReports("KG0013", "Algorithm = AttentionAlgorithm.Flash", Kernel("64, Kind = AttentionKind.Linear, Algorithm = AttentionAlgorithm.Flash"));

    [Theory]
    [InlineData("TileQ = 32")]
    [InlineData("TileKv = 64")]
    public void KG0014_TilesWithLinear(string argument)
        => AssertReports("KG0014", argument, Kernel("64, Kind = AttentionKind.Linear, " + argument));

    [Theory]
    [InlineData("Kind = (AttentionKind)7", "Kind is 7, which is not a defined AttentionKind value")]
    [InlineData("Algorithm = (AttentionAlgorithm)9", "Algorithm is 9, which is not a defined AttentionAlgorithm value")]
    public void KG0015_UndefinedEnumValue(string argument, string message)
        => AssertReports("KG0015", argument, Kernel("64, " + argument), message);

    [Fact]
    public void SeveralMistakesAreEachReportedOnTheirOwnArgument()
    {
        GeneratorRun run = GeneratorHarness.Run(Kernel("12, Heads = 0, Window = -1, TileKv = 3"));

        Assert.Null(run.Result.Results[0].Exception);
        var found = run.Result.Diagnostics
            .Select(d => (d.Id, Text: GeneratorHarness.TextAt(run.Input, d.Location)))
            .OrderBy(d => d.Id, System.StringComparer.Ordinal)
            .ToArray();
        Assert.Equal(
            [("KG0004", "12"), ("KG0005", "Heads = 0"), ("KG0008", "Window = -1"), ("KG0009", "TileKv = 3")],
            found);
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void AnInvalidClassDoesNotStopAValidOne()
    {
        GeneratorRun run = GeneratorHarness.Run(Kernel("64, Heads = 0"), """
            using KernelGen;

            namespace Valid;

            [Attention(64)]
            public static partial class D;
            """);

        Assert.Equal("KG0005", Assert.Single(run.Result.Diagnostics).Id);
        Assert.Equal("Valid.D.Attention.g.cs", Assert.Single(run.KernelSources).HintName);
    }

    /// <summary>Boundaries and explicit defaults that are valid: no diagnostic, one generated file.</summary>
    [Theory]
    [MemberData(nameof(Scenarios.EdgeCaseNames), MemberType = typeof(Scenarios))]
    public void ValidEdgeCaseReportsNothing(string edgeCase)
    {
        GeneratorRun run = GeneratorHarness.RunClean(Scenarios.EdgeCases[edgeCase]);
        Assert.Single(run.KernelSources);
    }
}

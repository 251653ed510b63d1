using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace KernelGen.Generator.Tests;

/// <summary>
/// The generator runs on every keystroke in an IDE, on code that is mostly incomplete. It must never throw: a throw
/// is reported as CS8785 and drops every kernel of the compilation. The compiler's own syntax errors are expected.
/// </summary>
public sealed class RobustnessTests
{
    /// <summary>Every argument the attribute has, each set to a value that is valid on its own.</summary>
    private const string FullUsage = """
        using KernelGen;

        namespace Typing
        {
            [Attention(64, Heads = 8, KvHeads = 2, Causal = true, Window = 512, Kind = AttentionKind.Softmax, Algorithm = AttentionAlgorithm.Flash, TileQ = 32, TileKv = 64, Scale = 0.125)] public static partial class C;
        }
        """;

    private static void AssertNoCrash(GeneratorDriver driver, string text)
    {
        GeneratorDriverRunResult result = driver.GetRunResult();
        GeneratorRunResult generator = Assert.Single(result.Results);
        Assert.True(generator.Exception is null, $"The generator threw on:\n{text}\n{generator.Exception}");
        string[] crashes = result.Diagnostics
            .Where(d => d.Id.StartsWith("CS8785", System.StringComparison.Ordinal) || d.Id.StartsWith("AD0001", System.StringComparison.Ordinal))
            .Select(d => d.ToString())
            .ToArray();
        Assert.True(crashes.Length == 0, $"On:\n{text}\n{string.Join("\n", crashes)}");
    }

    private static void RunFresh(string text, out GeneratorDriver driver)
    {
        driver = GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(GeneratorHarness.Compile(text), out _, out ImmutableArray<Diagnostic> diagnostics);
        Assert.DoesNotContain(diagnostics, d => d.Id == "CS8785");
    }

    [Fact]
    public void FullUsageGeneratesOneKernel()
    {
        GeneratorRun run = GeneratorHarness.RunClean(FullUsage);
        Assert.Equal("Typing.C.Attention.g.cs", Assert.Single(run.KernelSources).HintName);
    }

    /// <summary>Every prefix of the full usage, each in a fresh driver: text as it is being typed.</summary>
    [Fact]
    public void NeverThrowsOnAnyPrefix()
    {
        for (int length = 0; length <= FullUsage.Length; length++)
        {
            string prefix = FullUsage.Substring(0, length);
            RunFresh(prefix, out GeneratorDriver driver);
            AssertNoCrash(driver, prefix);
        }
    }

    /// <summary>
    /// The same prefixes in one driver, one after another, as an IDE feeds them: exercises the cached paths, where
    /// a result of the last run meets the current compilation.
    /// </summary>
    [Fact]
    public void NeverThrowsWhileTypingIntoOneDriver()
    {
        GeneratorDriver driver = GeneratorHarness.CreateDriver();
        SyntaxTree tree = GeneratorHarness.Parse("", "Input0.cs");
        Compilation compilation = GeneratorHarness.Compile().AddSyntaxTrees(tree);
        for (int length = 0; length <= FullUsage.Length; length++)
        {
            string prefix = FullUsage.Substring(0, length);
            SyntaxTree next = GeneratorHarness.Parse(prefix, "Input0.cs");
            compilation = compilation.ReplaceSyntaxTree(tree, next);
            tree = next;
            driver = driver.RunGenerators(compilation);
            AssertNoCrash(driver, prefix);
        }
        // The finished class's CPU kernel and GPU kernel files.
        Assert.Equal(2, driver.GetRunResult().GeneratedTrees.Length);
    }

    /// <summary>The full usage with any one character deleted: unbalanced parentheses, broken names, lost operators.</summary>
    [Fact]
    public void NeverThrowsWithAnyOneCharacterMissing()
    {
        for (int index = 0; index < FullUsage.Length; index++)
        {
            string text = FullUsage.Remove(index, 1);
            RunFresh(text, out GeneratorDriver driver);
            AssertNoCrash(driver, text);
        }
    }
}

using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using KernelGen.Generator;
using Microsoft.CodeAnalysis;
using Xunit;

namespace KernelGen.Generator.Tests;

/// <summary>
/// The pipeline's models are value-equal, so an edit that does not change a configuration leaves every step
/// cached and re-emits nothing; an edit that does, re-emits exactly the changed kernel.
/// </summary>
public sealed class IncrementalityTests
{
    private const string SourceOutput = "SourceOutput";

    private static string KernelSource(int heads) => $$"""
        using KernelGen;

        namespace Incremental;

        /// <summary>A kernel whose Heads the tests edit.</summary>
        [Attention(64, Heads = {{heads}}, Causal = true)]
        public static partial class Edited;
        """;

    private const string InvalidSource = """
        using KernelGen;

        namespace Incremental;

        [Attention(64, Heads = 0)]
        public static partial class Broken;
        """;

    private const string UnrelatedSource = """
        namespace Elsewhere;

        public static class Unrelated
        {
            public static int Answer() => 42;
        }
        """;

    /// <summary>A driver that has already run once on <paramref name="compilation"/>, with step tracking on.</summary>
    private static GeneratorDriver WarmDriver(Compilation compilation)
        => GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation);

    private static Compilation Replace(Compilation compilation, string path, string newText)
    {
        SyntaxTree old = compilation.SyntaxTrees.Single(tree => tree.FilePath == path);
        return compilation.ReplaceSyntaxTree(old, GeneratorHarness.Parse(newText, path));
    }

    private static IEnumerable<IncrementalStepRunReason> Reasons(IEnumerable<IncrementalGeneratorRunStep> steps)
        => steps.SelectMany(step => step.Outputs).Select(output => output.Reason);

    /// <summary>Checks a tracked step had outputs on this run, and that none of them was recomputed into something new.</summary>
    private static void AssertAllReused(GeneratorRunResult result, string step)
    {
        Assert.True(result.TrackedSteps.TryGetValue(step, out ImmutableArray<IncrementalGeneratorRunStep> runs), $"No step named {step}.");
        IncrementalStepRunReason[] reasons = Reasons(runs).ToArray();
        Assert.NotEmpty(reasons);
        Assert.All(reasons, reason => Assert.True(
            reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {reason}"));
    }

    /// <summary>The source-output runs fed by the Specs step: the emit of kernels, not the reporting of diagnostics.</summary>
    private static IncrementalGeneratorRunStep[] EmitRuns(GeneratorRunResult result)
        => result.TrackedOutputSteps[SourceOutput]
            .Where(step => step.Inputs.Any(input => input.Source.Name == AttentionGenerator.Steps.Specs))
            .ToArray();

    private static void AssertNothingReEmitted(GeneratorRunResult result)
    {
        IncrementalGeneratorRunStep[] emits = EmitRuns(result);
        Assert.NotEmpty(emits);
        Assert.All(Reasons(emits), reason => Assert.Equal(IncrementalStepRunReason.Cached, reason));
    }

    private static string GeneratedText(GeneratorDriver driver, string hintName)
        => driver.GetRunResult().Results[0].GeneratedSources.Single(source => source.HintName == hintName).SourceText.ToString();

    [Fact]
    public void AddingAnUnrelatedFileReusesEveryStep()
    {
        Compilation compilation = GeneratorHarness.Compile(KernelSource(8));
        GeneratorDriver driver = WarmDriver(compilation);
        string before = GeneratedText(driver, "Incremental.Edited.Attention.g.cs");

        driver = driver.RunGenerators(compilation.AddSyntaxTrees(GeneratorHarness.Parse(UnrelatedSource, "Unrelated.cs")));

        GeneratorRunResult result = driver.GetRunResult().Results[0];
        AssertAllReused(result, AttentionGenerator.Steps.Read);
        AssertAllReused(result, AttentionGenerator.Steps.Specs);
        AssertNothingReEmitted(result);
        Assert.Equal(before, GeneratedText(driver, "Incremental.Edited.Attention.g.cs"));
    }

    [Fact]
    public void EditingAnUnrelatedFileReusesEveryStep()
    {
        Compilation compilation = GeneratorHarness.Compile(KernelSource(8), UnrelatedSource);
        GeneratorDriver driver = WarmDriver(compilation);

        driver = driver.RunGenerators(Replace(compilation, "Input1.cs", UnrelatedSource.Replace("42", "43")));

        GeneratorRunResult result = driver.GetRunResult().Results[0];
        AssertAllReused(result, AttentionGenerator.Steps.Read);
        AssertAllReused(result, AttentionGenerator.Steps.Specs);
        AssertNothingReEmitted(result);
    }

    /// <summary>
    /// An edit in the kernel's own file that leaves the attribute alone (text added above it, which moves every
    /// span) reads the class again, but into an equal model: nothing downstream runs.
    /// </summary>
    [Fact]
    public void EditingTheKernelFileElsewhereReadsAnEqualModel()
    {
        Compilation compilation = GeneratorHarness.Compile(KernelSource(8));
        GeneratorDriver driver = WarmDriver(compilation);

        string edited = KernelSource(8).Replace("namespace Incremental;", "namespace Incremental;\n\n// A comment that moves the class down.\n");
        driver = driver.RunGenerators(Replace(compilation, "Input0.cs", edited));

        GeneratorRunResult result = driver.GetRunResult().Results[0];
        AssertAllReused(result, AttentionGenerator.Steps.Read);
        AssertAllReused(result, AttentionGenerator.Steps.Specs);
        AssertNothingReEmitted(result);
    }

    [Fact]
    public void ChangingAnArgumentRegeneratesTheKernel()
    {
        Compilation compilation = GeneratorHarness.Compile(KernelSource(8), UnrelatedSource);
        GeneratorDriver driver = WarmDriver(compilation);
        string before = GeneratedText(driver, "Incremental.Edited.Attention.g.cs");

        driver = driver.RunGenerators(Replace(compilation, "Input0.cs", KernelSource(4)));

        GeneratorRunResult result = driver.GetRunResult().Results[0];
        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(result.TrackedSteps[AttentionGenerator.Steps.Specs]));
        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(EmitRuns(result)));
        string after = GeneratedText(driver, "Incremental.Edited.Attention.g.cs");
        Assert.NotEqual(before, after);
        Assert.Contains("public const int Heads = 4;", after);
        Assert.Contains("public const int Heads = 8;", before);
    }

    /// <summary>
    /// Diagnostics and code are separate outputs: a change that only changes a diagnostic, in another file, updates
    /// the diagnostic and leaves the valid kernel's emit cached.
    /// </summary>
    [Fact]
    public void ChangingOnlyAnInvalidClassDoesNotReEmitAValidOne()
    {
        Compilation compilation = GeneratorHarness.Compile(KernelSource(8), InvalidSource);
        GeneratorDriver driver = WarmDriver(compilation);
        Assert.Contains("but is 0", Assert.Single(driver.GetRunResult().Diagnostics).GetMessage());

        driver = driver.RunGenerators(Replace(compilation, "Input1.cs", InvalidSource.Replace("Heads = 0", "Heads = -1")));

        GeneratorDriverRunResult run = driver.GetRunResult();
        GeneratorRunResult result = run.Results[0];
        Assert.Contains("but is -1", Assert.Single(run.Diagnostics).GetMessage());
        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(result.TrackedSteps[AttentionGenerator.Steps.Diagnostics]));
        AssertAllReused(result, AttentionGenerator.Steps.Specs);
        AssertNothingReEmitted(result);
        // The valid class's two files: its CPU kernel and its GPU kernel.
        Assert.Equal(2, result.GeneratedSources.Length);
    }
}

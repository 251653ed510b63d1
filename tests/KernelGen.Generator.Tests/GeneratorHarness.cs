using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Basic.Reference.Assemblies;
using KernelGen.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Emit;
using Xunit;

namespace KernelGen.Generator.Tests;

/// <summary>
/// Runs <see cref="AttentionGenerator"/> the way the compiler does, on in-memory compilations against the net10.0
/// reference assemblies and KernelGen.Runtime.dll. One reference list and one set of options serve every test.
/// </summary>
internal static class GeneratorHarness
{
    /// <summary>
    /// Latest language, and documentation comments parsed and checked (DocumentationMode.Diagnose), so a malformed
    /// or unresolved doc comment in generated code is a warning the compile tests see.
    /// </summary>
    public static readonly CSharpParseOptions ParseOptions = CSharpParseOptions.Default
        .WithLanguageVersion(LanguageVersion.Latest)
        .WithDocumentationMode(DocumentationMode.Diagnose);

    /// <summary>
    /// Nullable on, as in the projects that use KernelGen; every warning wave on (9999), so generated code stays
    /// clean under whatever level a consumer picks.
    /// </summary>
    /// <remarks>
    /// CS1701/CS1702 (ILGPU was built against System.Runtime 7.0) are off, as the .NET SDK turns them off in every
    /// project (its default NoWarn).
    /// </remarks>
    public static readonly CSharpCompilationOptions CompilationOptions = new CSharpCompilationOptions(
        OutputKind.DynamicallyLinkedLibrary,
        nullableContextOptions: NullableContextOptions.Enable,
        warningLevel: 9999)
        .WithSpecificDiagnosticOptions([
            new KeyValuePair<string, ReportDiagnostic>("CS1701", ReportDiagnostic.Suppress),
            new KeyValuePair<string, ReportDiagnostic>("CS1702", ReportDiagnostic.Suppress)]);

    public static readonly ImmutableArray<MetadataReference> References =
    [
        .. Net100.References.All,
        MetadataReference.CreateFromFile(typeof(AttentionAttribute).Assembly.Location),
        // The GPU file of every class is ILGPU code.
        MetadataReference.CreateFromFile(typeof(ILGPU.Context).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(ILGPU.Algorithms.XMath).Assembly.Location),
    ];

    public static SyntaxTree Parse(string source, string path) => CSharpSyntaxTree.ParseText(source, ParseOptions, path);

    /// <summary>
    /// No sources yet. Every compilation of the tests grows from this one, so they share its bound references
    /// instead of binding some 170 reference assemblies each time.
    /// </summary>
    private static readonly CSharpCompilation Empty = CSharpCompilation.Create(
        "KernelGen.Generator.Tests.Input", [], References, CompilationOptions);

    /// <summary>A compilation of <paramref name="sources"/>, named Input0.cs, Input1.cs, … in order.</summary>
    public static CSharpCompilation Compile(params string[] sources)
        => Empty.AddSyntaxTrees(sources.Select((source, index) => Parse(source, $"Input{index}.cs")));

    public static GeneratorDriver CreateDriver(bool trackSteps = false)
        => CSharpGeneratorDriver.Create(
            [new AttentionGenerator().AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackSteps));

    /// <summary>Runs the generator once on <paramref name="sources"/>.</summary>
    public static GeneratorRun Run(params string[] sources)
    {
        CSharpCompilation input = Compile(sources);
        GeneratorDriver driver = CreateDriver().RunGeneratorsAndUpdateCompilation(input, out Compilation output, out _);
        return new GeneratorRun(input, output, driver.GetRunResult());
    }

    /// <summary>Runs the generator and checks that it neither threw nor reported anything.</summary>
    public static GeneratorRun RunClean(params string[] sources)
    {
        GeneratorRun run = Run(sources);
        Assert.Null(run.Result.Results[0].Exception);
        Assert.Empty(run.Result.Diagnostics);
        return run;
    }

    /// <summary>
    /// Generates for <paramref name="sources"/> and checks that the generator neither threw nor reported anything,
    /// that it wrote two files (CPU kernel and GPU kernel) for each of <paramref name="expectedClasses"/> classes, and that the inputs alone and then the inputs with the
    /// generated files compile and emit with no warning or error.
    /// </summary>
    public static GeneratorRun RunAndCompile(int expectedClasses, params string[] sources)
    {
        GeneratorRun run = Run(sources);

        Assert.All(run.Result.Results, result => Assert.Null(result.Exception));
        Assert.Empty(run.Result.Diagnostics);
        Assert.Equal(expectedClasses, run.KernelSources.Length);
        Assert.Equal(expectedClasses, run.GpuSources.Length);
        Assert.Equal(2 * expectedClasses, run.Sources.Length);

        // The inputs alone compile cleanly too, so any warning below comes from generated code or its interplay.
        AssertClean(run.Input.GetDiagnostics());
        AssertClean(run.Output.GetDiagnostics());

        using var stream = new MemoryStream();
        EmitResult emitted = run.Output.Emit(stream);
        AssertClean(emitted.Diagnostics);
        Assert.True(emitted.Success);
        return run;
    }

    /// <summary>Fails with every warning and error spelled out, one per line.</summary>
    private static void AssertClean(IEnumerable<Diagnostic> diagnostics)
    {
        IReadOnlyList<string> found = WarningsAndErrors(diagnostics);
        Assert.True(found.Count == 0, string.Join("\n", found));
    }

    /// <summary>The text a diagnostic points at: generator diagnostics carry a file path and span, not a tree.</summary>
    public static string TextAt(Compilation compilation, Location location)
    {
        string path = location.GetLineSpan().Path;
        SyntaxTree tree = Assert.Single(compilation.SyntaxTrees, t => t.FilePath == path);
        return tree.GetText().ToString(location.SourceSpan);
    }

    /// <summary>Diagnostics of severity Warning or Error, formatted with their location for a readable failure.</summary>
    public static IReadOnlyList<string> WarningsAndErrors(IEnumerable<Diagnostic> diagnostics)
        => diagnostics
            .Where(d => d.Severity >= DiagnosticSeverity.Warning)
            .Select(d => d.ToString())
            .ToArray();
}

/// <summary>One generator run: the compilation it saw, the compilation with its sources added, and what it returned.</summary>
internal sealed record GeneratorRun(CSharpCompilation Input, Compilation Output, GeneratorDriverRunResult Result)
{
    public ImmutableArray<GeneratedSourceResult> Sources => Result.Results[0].GeneratedSources;

    /// <summary>The CPU kernel files (*.Attention.g.cs), one per valid class.</summary>
    public ImmutableArray<GeneratedSourceResult> KernelSources => [.. Sources.Where(s => s.HintName.EndsWith(".Attention.g.cs", System.StringComparison.Ordinal))];

    /// <summary>The GPU kernel files (*.Gpu.g.cs), one per valid class.</summary>
    public ImmutableArray<GeneratedSourceResult> GpuSources => [.. Sources.Where(s => s.HintName.EndsWith(".Gpu.g.cs", System.StringComparison.Ordinal))];
}

using KernelGen.Generator.Emit;
using KernelGen.Generator.Emit.Gpu;
using KernelGen.Generator.Model;
using Microsoft.CodeAnalysis;

namespace KernelGen.Generator;

/// <summary>
/// The pipeline: every class with [Attention] is read into a value-equal result; its diagnostics and its code are
/// separate outputs (the CPU kernel file and the GPU kernel file), so a change that only moves a diagnostic never re-emits a kernel.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class AttentionGenerator : IIncrementalGenerator
{
    /// <summary>Names of the tracked steps, for incrementality tests.</summary>
    public static class Steps
    {
        public const string Read = nameof(Read);
        public const string Diagnostics = nameof(Diagnostics);
        public const string Specs = nameof(Specs);
    }

    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<AttentionReadResult> results = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                "KernelGen.AttentionAttribute",
                predicate: static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.ClassDeclarationSyntax,
                transform: AttentionSpecReader.Read)
            .WithTrackingName(Steps.Read);

        IncrementalValuesProvider<EquatableArray<DiagnosticInfo>> diagnostics = results
            .Select(static (result, _) => result.Diagnostics)
            .WithTrackingName(Steps.Diagnostics);
        context.RegisterSourceOutput(diagnostics, static (output, found) =>
        {
            foreach (DiagnosticInfo diagnostic in found)
                output.ReportDiagnostic(diagnostic.ToDiagnostic());
        });

        IncrementalValuesProvider<AttentionSpec> specs = results
            .Where(static result => result.Spec is not null)
            .Select(static (result, _) => result.Spec!)
            .WithTrackingName(Steps.Specs);
        context.RegisterSourceOutput(specs, static (output, spec)
            => output.AddSource(spec.HintName, KernelFileEmitter.Emit(spec)));
        context.RegisterSourceOutput(specs, static (output, spec)
            => output.AddSource(spec.GpuHintName, GpuFileEmitter.Emit(spec)));
    }
}

using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace KernelGen.Generator.Model;

/// <summary>
/// A diagnostic as plain values: a <see cref="Location"/> holds a syntax tree, which would keep old compilations
/// alive and make every model unequal to the last one, so the pipeline carries file, span and message instead.
/// </summary>
internal sealed record DiagnosticInfo(
    DiagnosticDescriptor Descriptor, string FilePath, TextSpan Span, LinePositionSpan LineSpan, EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, Location location, params string[] arguments)
    {
        FileLinePositionSpan lines = location.GetLineSpan();
        return new DiagnosticInfo(descriptor, lines.Path, location.SourceSpan, lines.Span, arguments.ToEquatableArray());
    }

    public Diagnostic ToDiagnostic()
        => Diagnostic.Create(Descriptor, Location.Create(FilePath, Span, LineSpan), [.. Arguments]);
}

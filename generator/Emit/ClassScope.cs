using System;
using System.Collections.Generic;
using KernelGen.Generator.Model;

namespace KernelGen.Generator.Emit;

/// <summary>
/// The user's class where it was declared: its namespace, every containing type and the partial class itself,
/// opened as nested blocks and closed, innermost first, on <see cref="Dispose"/>. Every generated file of a class
/// starts here.
/// </summary>
internal sealed class ClassScope : IDisposable
{
    private readonly List<IDisposable> _blocks = new();

    private ClassScope()
    {
    }

    public static ClassScope Open(IndentedWriter writer, AttentionSpec spec)
    {
        var scope = new ClassScope();
        if (spec.Namespace is not null)
            scope._blocks.Add(writer.Block($"namespace {Literals.DottedName(spec.Namespace)}"));
        foreach (ContainingType type in spec.ContainingTypes)
            scope._blocks.Add(writer.Block($"partial {type.Keyword} {Literals.Identifier(type.Name)}"));
        string className = Literals.Identifier(spec.ClassName);
        scope._blocks.Add(writer.Block(spec.IsStatic ? $"static partial class {className}" : $"partial class {className}"));
        return scope;
    }

    public void Dispose()
    {
        for (int i = _blocks.Count - 1; i >= 0; i--)
            _blocks[i].Dispose();
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using KernelGen.Generator.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace KernelGen.Generator.Model;

/// <summary>
/// Turns one [Attention] class into an <see cref="AttentionReadResult"/>. The only code that touches symbols and
/// syntax; it never throws on incomplete code: an attribute the compiler cannot bind yet yields nothing, since the
/// compiler already reports why.
/// </summary>
internal static class AttentionSpecReader
{
    public static AttentionReadResult Read(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var diagnostics = new List<DiagnosticInfo>();
        if (context.TargetSymbol is not INamedTypeSymbol type
            || context.TargetNode is not ClassDeclarationSyntax declaration
            || context.Attributes.Length == 0)
        {
            return Result(null, diagnostics);
        }

        // [Attention] on two parts of one class is already CS0579, and each part is a target here (whose Attributes,
        // when both parts share a file, hold both attributes). Only the part that holds the first attribute reads it,
        // so each class gets one file: a second AddSource with the same hint name would throw and drop every kernel.
        AttributeData attribute = FirstAttention(type, context.Attributes[0]);
        if (attribute.ApplicationSyntaxReference is { } reference
            && (reference.SyntaxTree != declaration.SyntaxTree || !declaration.Span.Contains(reference.Span)))
        {
            return Result(null, diagnostics);
        }

        ContainingType[]? containingTypes = ReadContainingTypes(declaration, type, diagnostics);
        ReadClassShape(declaration, type, diagnostics);

        var syntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
        var arguments = new ArgumentReader(attribute, syntax, declaration.Identifier.GetLocation());
        AttentionSpec? spec = arguments.IsBound
            ? ReadConfiguration(arguments, diagnostics)
            : null;

        if (diagnostics.Count > 0 || spec is null || containingTypes is null)
            return Result(null, diagnostics);

        return Result(spec with
        {
            Namespace = NamespaceOf(type),
            ContainingTypes = containingTypes.ToEquatableArray(),
            ClassName = type.Name,
            IsStatic = type.IsStatic,
            IsRegistered = IsNameableFromAssembly(type),
        }, diagnostics);
    }

    /// <summary>
    /// The namespace as plain names ("class.Models" for namespace @class.Models): ToDisplayString would keep the '@',
    /// which is no C# name outside code and an invalid character in a hint name. The emitter escapes where it writes code.
    /// </summary>
    private static string? NamespaceOf(INamedTypeSymbol type)
    {
        var names = new List<string>();
        for (INamespaceSymbol? n = type.ContainingNamespace; n is { IsGlobalNamespace: false }; n = n.ContainingNamespace)
            names.Insert(0, n.Name);
        return names.Count == 0 ? null : string.Join(".", names);
    }

    /// <summary>
    /// Whether an assembly attribute can name the class: it and every type around it are public or internal. A private
    /// or protected nested class cannot be registered with [assembly: GeneratedAttentionKernel] (CS0122).
    /// </summary>
    private static bool IsNameableFromAssembly(INamedTypeSymbol type)
    {
        for (INamedTypeSymbol? t = type; t is not null; t = t.ContainingType)
        {
            if (t.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal))
                return false;
        }
        return true;
    }

    /// <summary>The class's first [Attention], over all its parts in declaration order.</summary>
    private static AttributeData FirstAttention(INamedTypeSymbol type, AttributeData matched)
    {
        foreach (AttributeData candidate in type.GetAttributes())
        {
            if (SymbolEqualityComparer.Default.Equals(candidate.AttributeClass, matched.AttributeClass))
                return candidate;
        }
        return matched;
    }

    private static AttentionReadResult Result(AttentionSpec? spec, List<DiagnosticInfo> diagnostics)
        => new(spec, diagnostics.ToEquatableArray());

    private static void ReadClassShape(ClassDeclarationSyntax declaration, INamedTypeSymbol type, List<DiagnosticInfo> diagnostics)
    {
        Location name = declaration.Identifier.GetLocation();
        if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.NotPartial, name, type.Name));
        if (type.IsFileLocal)
            diagnostics.Add(DiagnosticInfo.Create(Descriptors.FileLocal, name, type.Name));
        foreach (string generated in new[] { "Kernel", "Gpu" })
        {
            if (type.Name == generated || type.GetMembers(generated).Length > 0)
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.ReservedName, name, type.Name, generated));
        }

        for (INamedTypeSymbol? t = type; t is not null; t = t.ContainingType)
        {
            if (t.TypeParameters.Length > 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.Generic, name, type.Name));
                break;
            }
        }
    }

    /// <summary>The enclosing type declarations, outermost first; null (with a diagnostic) when one is not partial.</summary>
    private static ContainingType[]? ReadContainingTypes(ClassDeclarationSyntax declaration, INamedTypeSymbol type, List<DiagnosticInfo> diagnostics)
    {
        var types = new List<ContainingType>();
        bool allPartial = true;
        for (SyntaxNode? node = declaration.Parent; node is TypeDeclarationSyntax parent; node = parent.Parent)
        {
            if (!parent.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                diagnostics.Add(DiagnosticInfo.Create(Descriptors.ContainingTypeNotPartial,
                    declaration.Identifier.GetLocation(), type.Name, parent.Identifier.ValueText));
                allPartial = false;
            }
            string keyword = parent is RecordDeclarationSyntax record && !record.ClassOrStructKeyword.IsKind(SyntaxKind.None)
                ? $"record {record.ClassOrStructKeyword.ValueText}"
                : parent.Keyword.ValueText;
            types.Insert(0, new ContainingType(keyword, parent.Identifier.ValueText));
        }
        return allPartial ? types.ToArray() : null;
    }

    private static AttentionSpec? ReadConfiguration(ArgumentReader args, List<DiagnosticInfo> diagnostics)
    {
        void Report(DiagnosticDescriptor descriptor, string argument, params string[] messageArgs)
            => diagnostics.Add(DiagnosticInfo.Create(descriptor, args.LocationOf(argument), messageArgs));

        int headDim = args.HeadDim;
        int heads = args.Get(nameof(AttentionSpec.Heads), 1);
        int kvHeads = args.Get(nameof(AttentionSpec.KvHeads), 0);
        bool causal = args.Get(nameof(AttentionSpec.Causal), false);
        int window = args.Get(nameof(AttentionSpec.Window), 0);
        int kindValue = args.Get(nameof(AttentionSpec.Kind), 0);
        int algorithmValue = args.Get(nameof(AttentionSpec.Algorithm), 0);
        int tileQ = args.Get(nameof(AttentionSpec.TileQ), 0);
        int tileKv = args.Get(nameof(AttentionSpec.TileKv), 0);
        double? scale = args.Has(nameof(AttentionSpec.Scale)) ? args.Get(nameof(AttentionSpec.Scale), 0.0) : null;

        if (!AttentionRules.IsValidHeadDim(headDim))
            Report(Descriptors.InvalidHeadDim, nameof(AttentionSpec.HeadDim), headDim.ToString());
        if (heads <= 0)
            Report(Descriptors.InvalidHeads, nameof(AttentionSpec.Heads), heads.ToString());
        if (kvHeads < 0)
            Report(Descriptors.InvalidKvHeads, nameof(AttentionSpec.KvHeads), kvHeads.ToString());
        else if (heads > 0 && heads % AttentionRules.ResolveKvHeads(heads, kvHeads) != 0)
            Report(Descriptors.HeadsNotMultipleOfKvHeads, nameof(AttentionSpec.KvHeads), heads.ToString(), kvHeads.ToString());
        if (window < 0)
            Report(Descriptors.NegativeWindow, nameof(AttentionSpec.Window), window.ToString());

        var kind = (AttentionKind)kindValue;
        var algorithm = (AttentionAlgorithm)algorithmValue;
        if (!Enum.IsDefined(typeof(AttentionKind), kind))
            Report(Descriptors.UndefinedEnumValue, nameof(AttentionSpec.Kind), nameof(AttentionSpec.Kind), kindValue.ToString(), nameof(AttentionKind));
        if (!Enum.IsDefined(typeof(AttentionAlgorithm), algorithm))
            Report(Descriptors.UndefinedEnumValue, nameof(AttentionSpec.Algorithm), nameof(AttentionSpec.Algorithm), algorithmValue.ToString(), nameof(AttentionAlgorithm));

        foreach ((string name, int tile) in new[] { (nameof(AttentionSpec.TileQ), tileQ), (nameof(AttentionSpec.TileKv), tileKv) })
        {
            if (!AttentionRules.IsValidTile(tile))
                Report(Descriptors.InvalidTile, name, name, tile.ToString());
            else if (tile != 0 && kind == AttentionKind.Linear)
                Report(Descriptors.TilesWithLinear, name, name);
            else if (tile != 0 && algorithm == AttentionAlgorithm.Materialized)
                Report(Descriptors.TilesWithMaterialized, name, name);
        }

        if (scale is double s)
        {
            if (kind == AttentionKind.Linear)
                Report(Descriptors.ScaleWithLinear, nameof(AttentionSpec.Scale));
            else if (!(s > 0) || double.IsInfinity(s))
                Report(Descriptors.InvalidScale, nameof(AttentionSpec.Scale), s.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        }
        if (kind == AttentionKind.Linear && algorithm == AttentionAlgorithm.Flash)
            Report(Descriptors.FlashWithLinear, nameof(AttentionSpec.Algorithm));

        if (diagnostics.Count > 0)
            return null;

        // Resolve every default here, so the emitters and the reported configuration see one explicit value each.
        bool flash = kind == AttentionKind.Softmax && algorithm != AttentionAlgorithm.Materialized;
        return new AttentionSpec(
            Namespace: null,
            ContainingTypes: default,
            ClassName: "",
            IsStatic: false,
            IsRegistered: false,
            HeadDim: headDim,
            Heads: heads,
            KvHeads: AttentionRules.ResolveKvHeads(heads, kvHeads),
            Causal: causal,
            Window: window,
            Kind: kind,
            Algorithm: flash ? AttentionAlgorithm.Flash : algorithm,
            TileQ: flash ? AttentionRules.ResolveTileQ(tileQ) : 0,
            TileKv: flash ? AttentionRules.ResolveTileKv(tileKv, headDim, window) : 0,
            TileKv512: flash ? AttentionRules.ResolveTileKv512(tileKv) : 0,
            Scale: kind == AttentionKind.Softmax ? AttentionRules.ResolveScale(headDim, scale ?? 0) : 0);
    }

    /// <summary>Reads the attribute's constant arguments and finds the syntax of each for diagnostics.</summary>
    private sealed class ArgumentReader(AttributeData attribute, AttributeSyntax? syntax, Location fallback)
    {
        /// <summary>Whether the compiler bound the attribute and every argument (false while it is half typed).</summary>
        public bool IsBound
            => attribute.AttributeClass is { TypeKind: not TypeKind.Error }
            && attribute.ConstructorArguments.Length == 1
            && attribute.ConstructorArguments[0].Value is int
            && attribute.NamedArguments.All(a => a.Value.Kind != TypedConstantKind.Error && a.Value.Value is not null);

        public int HeadDim => (int)attribute.ConstructorArguments[0].Value!;

        public bool Has(string name) => attribute.NamedArguments.Any(a => a.Key == name);

        public T Get<T>(string name, T defaultValue)
        {
            foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
            {
                if (argument.Key == name && argument.Value.Value is T value)
                    return value;
            }
            return defaultValue;
        }

        /// <summary>The argument's syntax: the named argument, or the first positional one for HeadDim.</summary>
        public Location LocationOf(string name)
        {
            if (syntax?.ArgumentList is { } list)
            {
                foreach (AttributeArgumentSyntax argument in list.Arguments)
                {
                    bool matches = argument.NameEquals is { } named
                        ? named.Name.Identifier.ValueText == name
                        : name == nameof(AttentionSpec.HeadDim);
                    if (matches)
                        return argument.GetLocation();
                }
            }
            return syntax?.GetLocation() ?? fallback;
        }
    }
}

using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis.CSharp;

namespace KernelGen.Generator.Emit;

/// <summary>C# literals that read back as exactly the value written.</summary>
internal static class Literals
{
    /// <summary>
    /// A float literal. A finite double beyond float's range (a Scale of 1e300) rounds to infinity, which has no
    /// literal form ("Infinityf" is not C#), so it is written as the named constant, as the generic kernel's cast gives.
    /// </summary>
    public static string Float(double value)
    {
        float rounded = (float)value;
        if (float.IsPositiveInfinity(rounded))
            return "float.PositiveInfinity";
        if (float.IsNegativeInfinity(rounded))
            return "float.NegativeInfinity";
        if (float.IsNaN(rounded))
            return "float.NaN";
        return rounded.ToString("R", CultureInfo.InvariantCulture) + "f";
    }

    public static string Double(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    public static string Bool(bool value) => value ? "true" : "false";

    /// <summary>A name as C# code: a keyword used as a name (class @event, namespace @class) gets its '@' back.</summary>
    public static string Identifier(string name)
        => SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(name) != SyntaxKind.None
            ? "@" + name
            : name;

    /// <summary>A dotted name ("A.B.C") as C# code, each part through <see cref="Identifier"/>.</summary>
    public static string DottedName(string name) => string.Join(".", name.Split('.').Select(Identifier));

    /// <summary>A C# string literal (the names here are identifiers and dots, which need no escapes).</summary>
    public static string String(string value) => "\"" + value + "\"";
}

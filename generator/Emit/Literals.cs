using System.Globalization;

namespace KernelGen.Generator.Emit;

/// <summary>C# literals that read back as exactly the value written.</summary>
internal static class Literals
{
    public static string Float(double value) => ((float)value).ToString("R", CultureInfo.InvariantCulture) + "f";

    public static string Double(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    public static string Bool(bool value) => value ? "true" : "false";

    /// <summary>A C# string literal (the names here are identifiers and dots, which need no escapes).</summary>
    public static string String(string value) => "\"" + value + "\"";
}

using System.Linq;

namespace KernelGen.Generator.Emit;

/// <summary>Fits multi-line text into a placeholder of a raw-string template.</summary>
internal static class Indentation
{
    /// <summary>Indents every line but the first, which sits where the placeholder stood, by <paramref name="depth"/> levels.</summary>
    public static string Continue(string text, int depth)
    {
        string[] lines = text.Replace("\r\n", "\n").Split('\n');
        string pad = new(' ', 4 * depth);
        return string.Join("\n", lines.Select((line, i) => i == 0 || line.Length == 0 ? line : pad + line));
    }
}

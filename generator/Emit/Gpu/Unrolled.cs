using System;
using System.Linq;

namespace KernelGen.Generator.Emit.Gpu;

/// <summary>Code repeated once per index: ILGPU does not unroll loops, so the generator does.</summary>
internal static class Unrolled
{
    /// <summary>One line per index, joined by newlines.</summary>
    public static string Lines(int count, Func<int, string> line)
        => string.Join("\n", Enumerable.Range(0, count).Select(line));

    /// <summary>One item per index, to join as the caller needs.</summary>
    public static System.Collections.Generic.IEnumerable<string> Names(int count, Func<int, string> name)
        => Enumerable.Range(0, count).Select(name);

    /// <summary>
    /// <paramref name="text"/> to put where a template already indents its first line by <paramref name="spaces"/>:
    /// every further line gets the same indentation.
    /// </summary>
    public static string Indent(string text, int spaces)
        => text.Replace("\n", "\n" + new string(' ', spaces));
}

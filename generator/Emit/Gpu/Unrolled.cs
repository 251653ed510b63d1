using System;
using System.Linq;

namespace KernelGen.Generator.Emit.Gpu;

/// <summary>Code repeated once per index: ILGPU does not unroll loops, so the generator does.</summary>
internal static class Unrolled
{
    /// <summary>One line per index, joined by newlines.</summary>
    public static string Lines(int count, Func<int, string> line)
        => string.Join("\n", Enumerable.Range(0, count).Select(line));

    /// <summary>One term per index, joined by " + ".</summary>
    public static string Sum(int count, Func<int, string> term)
        => string.Join(" + ", Enumerable.Range(0, count).Select(term));

    /// <summary>
    /// <paramref name="text"/> to put where a template already indents its first line by <paramref name="spaces"/>:
    /// every further line gets the same indentation.
    /// </summary>
    public static string Indent(string text, int spaces)
        => text.Replace("\n", "\n" + new string(' ', spaces));
}

using System;
using System.Diagnostics;

namespace KernelGen.Demo;

/// <summary>A line that says what a slow step is doing, then how long it took.</summary>
internal static class Progress
{
    public static T Step<T>(string what, Func<T> step)
    {
        Console.Write($"  {what} … ");
        var clock = Stopwatch.StartNew();
        T result = step();
        Console.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s");
        return result;
    }
}

using System;
using System.IO;

namespace KernelGen.Demo;

/// <summary>The demo's command line.</summary>
/// <param name="Text">The sentence whose attention maps are drawn.</param>
/// <param name="OutputFolder">Where the heatmap PNGs go.</param>
/// <param name="Threads">Threads for KernelGen and for ONNX Runtime alike.</param>
/// <param name="Quick">Small sizes everywhere (for tests): seconds instead of a minute.</param>
internal sealed record DemoOptions(string Text, string OutputFolder, int Threads, bool Quick)
{
    public const string DefaultText = "The animal didn't cross the street because it was too tired.";

    public const string Usage = """
        usage: KernelGen.Demo [--text SENTENCE] [--out FOLDER] [--threads N] [--quick] [--help]
          runs each attention variant against a float64 reference, then all-MiniLM-L6-v2 on KernelGen against
          ONNX Runtime (agreement, sentence similarity, timing), and draws the model's attention maps.
          --text SENTENCE  the sentence whose attention is drawn (default: "The animal didn't cross the street because it was too tired.")
          --out FOLDER     where the heatmap PNGs are written (default: ./kernelgen-demo-output)
          --threads N      threads for KernelGen and ONNX Runtime (default: all cores)
          --quick          small sizes, for a check in seconds
        """;

    /// <summary>The options in <paramref name="args"/>; null with <paramref name="error"/> set when they are wrong.</summary>
    public static DemoOptions? Parse(string[] args, out string? error, out bool help)
    {
        var options = new DemoOptions(DefaultText, Path.GetFullPath("kernelgen-demo-output"), Environment.ProcessorCount, false);
        error = null;
        help = false;
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            bool hasValue = i + 1 < args.Length;
            switch (arg)
            {
                case "--help" or "-h":
                    help = true;
                    return null;
                case "--quick":
                    options = options with { Quick = true };
                    break;
                case "--text" when hasValue && !string.IsNullOrWhiteSpace(args[i + 1]):
                    options = options with { Text = args[++i] };
                    break;
                case "--out" when hasValue && args[i + 1].Length > 0:
                    options = options with { OutputFolder = Path.GetFullPath(args[++i]) };
                    break;
                case "--threads" when hasValue:
                    if (!int.TryParse(args[++i], out int threads) || threads < 1)
                    {
                        error = $"--threads needs a whole number from 1 up, not '{args[i]}'; try --help";
                        return null;
                    }
                    options = options with { Threads = threads };
                    break;
                case "--text" or "--out" or "--threads":
                    error = $"{arg} needs a value; try --help";
                    return null;
                default:
                    error = $"unknown argument '{arg}'; try --help";
                    return null;
            }
        }
        return options;
    }
}

using System;
using System.Diagnostics;
using System.Linq;
using System.Reflection;

namespace KernelGen.Demo;

/// <summary>
/// Runs every declared variant, plus one configuration that was not declared (served by the generic kernel), on the
/// same deterministic input, checks each against the float64 reference, and prints a table.
/// </summary>
internal static class VariantTable
{
    /// <summary>Prints the table for <paramref name="length"/> queries × keys; true when every variant is accurate.</summary>
    public static bool Run(int length)
    {
        const int Batch = 1;
        Assembly requests = Assembly.GetExecutingAssembly();
        var undeclared = new AttentionConfig(96) { Heads = 6, KvHeads = 3, Causal = true, Window = 200 };
        IAttentionKernel[] kernels = AttentionKernels.GeneratedIn(requests)
            .Append(AttentionKernels.For(undeclared, requests))
            .ToArray();

        Console.WriteLine($"KernelGen demo: batch {Batch}, {length} queries × {length} keys, fp32 kernels vs a float64 reference");
        Console.WriteLine($"CPU path {AttentionCpu.Path}, {AttentionParallelism.MaxDegreeOfParallelism} thread(s); time is one call after a warm-up call");
        Console.WriteLine();
        Console.WriteLine($"{"variant",-62} {"kernel",-40} {"max |err|",10} {"time (ms)",10}");
        Console.WriteLine(new string('-', 125));
        bool allAccurate = true;
        foreach (IAttentionKernel kernel in kernels)
        {
            AttentionConfig config = kernel.Config;
            var random = new Random(20261128);
            float[] Fill(int heads, int rows) => Enumerable.Range(0, Batch * heads * rows * config.HeadDim)
                .Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            float[] q = Fill(config.Heads, length), k = Fill(config.ResolvedKvHeads, length), v = Fill(config.ResolvedKvHeads, length);
            var output = new float[q.Length];

            kernel.Forward(q, k, v, output, Batch, length, length); // first call: JIT and scratch
            var clock = Stopwatch.StartNew();
            kernel.Forward(q, k, v, output, Batch, length, length);
            double milliseconds = clock.Elapsed.TotalMilliseconds;

            double[] reference = ReferenceAttention.Forward(config, q, k, v, Batch, length, length);
            double maxError = output.Select((o, i) => Math.Abs(o - reference[i])).Max();
            // fp32 accumulation over ≤ 512 keys of values in [-1, 1]: errors of a few 1e-7 are float rounding; 1e-4 is a bug.
            allAccurate &= maxError < 1e-4;
            Console.WriteLine($"{Describe(config),-62} {kernel.Name,-40} {maxError,10:0.0e+0} {milliseconds,10:F1}");
        }
        Console.WriteLine();
        Console.WriteLine(allAccurate ? "every variant matches the float64 reference (max |err| < 1e-4)" : "SOME VARIANT DISAGREES WITH THE REFERENCE");
        return allAccurate;
    }

    private static string Describe(AttentionConfig c)
    {
        string heads = c.ResolvedKvHeads == c.Heads ? $"{c.Heads} heads" : $"{c.Heads}q/{c.ResolvedKvHeads}kv heads";
        string mask = (c.Causal, c.Window) switch
        {
            (true, 0) => "causal",
            (true, _) => $"causal W={c.Window}",
            (false, 0) => "full",
            _ => $"window W={c.Window}",
        };
        string algorithm = c.Kind == AttentionKind.Linear && c.Algorithm == AttentionAlgorithm.Auto ? "chunked" : c.Algorithm.ToString().ToLowerInvariant();
        string tiles = c.Algorithm == AttentionAlgorithm.Flash && c.TileQ > 0 ? $" {c.TileQ}×{c.TileKv}" : "";
        return $"{c.Kind.ToString().ToLowerInvariant()} D={c.HeadDim} {heads} {mask}, {algorithm}{tiles}";
    }
}

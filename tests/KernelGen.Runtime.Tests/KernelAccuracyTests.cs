using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace KernelGen.Runtime.Tests;

/// <summary>
/// Differential tests: every generated kernel, and the generic kernel on undeclared configurations, against the
/// independent float64 reference, on lengths that are not multiples of any tile, with fewer queries than keys
/// (bottom-right alignment, including one-query decode), batches, and per-sequence key lengths (padding, and
/// sequences shorter than the query count, whose leading causal rows see nothing).
/// </summary>
public sealed class KernelAccuracyTests
{
    internal static readonly Shape[] Shapes =
    [
        new(2, 37, 37),
        new(1, 100, 100),
        new(1, 130, 130),             // past one 128-row tile, last tile partial
        new(1, 1, 77),                // decode: one query at position 76
        new(2, 20, 45),               // queries at positions 25 … 44
        new(1, 45, 20),               // more queries than keys: not causal only (causal rejects it)
        new(4, 20, 50, [50, 0, 13, 29]), // padding; an empty sequence; causal rows 0 … 6 of sequence 2 see nothing
        new(2, 1, 64, [64, 5]),       // decode over caches of different lengths
        new(1, 3, 40),                // 3 queries: with 2 heads a key/value head, 6 rows, a value block and 2 single rows
    ];

    public static IEnumerable<object[]> Cases() => CasesWhere(_ => true);

    /// <summary>Every (kernel, shape) pair whose configuration <paramref name="include"/> accepts, less causal calls with more queries than keys.</summary>
    internal static IEnumerable<object[]> CasesWhere(Func<AttentionConfig, bool> include)
    {
        foreach (string id in KernelCatalog.AllIds.Where(id => include(KernelCatalog.Get(id).Config)))
        {
            bool causal = KernelCatalog.Get(id).Config.Causal;
            foreach (Shape shape in Shapes)
            {
                if (causal && shape.KeyLengths is null && shape.QueryLength > shape.KeyLength)
                    continue;
                yield return [id, shape.Batch, shape.QueryLength, shape.KeyLength, shape.KeyLengthsText];
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_float64_reference(string kernelId, int batch, int queryLength, int keyLength, string keyLengths)
    {
        IAttentionKernel kernel = KernelCatalog.Get(kernelId);
        var shape = new Shape(batch, queryLength, keyLength, Shape.ParseKeyLengths(keyLengths));
        var inputs = new TestInputs(kernel.Config, shape, seed: 17 * batch + 31 * queryLength + keyLength);

        float[] output = inputs.Run(kernel);

        Accuracy.AssertMatches($"{kernel.Name} on {shape}", kernel.Config.Kind, output, inputs.Reference(), kernel.Config.HeadDim);
    }

    public static IEnumerable<object[]> KernelIds()
    {
        foreach (string id in KernelCatalog.AllIds)
            yield return [id];
    }
}

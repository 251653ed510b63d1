using KernelGen.Generator.Model;

namespace KernelGen.Generator.Emit.Gpu;

/// <summary>
/// What the attention kernel does with a score, per kind. Softmax: q pre-scaled by scale·log2(e), an online softmax
/// in base 2 (running maximum and sum, the accumulator rescaled when the maximum grows), divided by the sum at the
/// end, and the log-sum-exp written out. Linear: φ applied to q and to keys as they are staged, the score is the
/// weight, divided by (Σ weights + ε) at the end.
/// </summary>
internal static class GpuWeights
{
    public static bool IsSoftmax(AttentionSpec spec) => spec.Kind == AttentionKind.Softmax;

    public static string Constants(AttentionSpec spec) => IsSoftmax(spec)
        ? SoftmaxScale.Declaration(spec) + """

            /// <summary>ln 2: the log-sum-exp is kept in base 2 and written out in base e.</summary>
            private const float Ln2 = 0.6931472f;
            """
        : """
            /// <summary>φ(x) = elu(x) + 1, branchwise: exact where exp(x) − 1 + 1 would lose every digit.</summary>
            private static float FeatureMap(float x) => x >= 0f ? x + 1f : XMath.Exp(x);
            """;

    /// <summary>A query element as the dot products want it.</summary>
    public static string Query(AttentionSpec spec, string element)
        => IsSoftmax(spec) ? $"{element} * ScaleLog2E" : $"FeatureMap({element})";

    /// <summary>A key element as it is staged in shared memory.</summary>
    public static string Key(AttentionSpec spec, string element)
        => IsSoftmax(spec) ? element : $"FeatureMap({element})";

    public static string Comment(AttentionSpec spec) => IsSoftmax(spec)
        ? "This lane's dims of q, pre-scaled by scale · log2(e) so scores come out in base 2 for exp2."
        : "This lane's dims of φ(q).";

    /// <summary>The running state besides the output accumulators.</summary>
    public static string State(AttentionSpec spec) => IsSoftmax(spec)
        ? "float rowMax = float.NegativeInfinity, rowSum = 0f;"
        : "float rowSum = 0f;";

    /// <summary>Folds the key at <c>j</c> of the tile, whose score is <c>score</c>, into the row's state.</summary>
    public static string Update(AttentionSpec spec, GpuLayout layout)
    {
        string accumulate = Unrolled.Lines(layout.DimsPerLane, i => $"o{i} += weight * vTile[at + {i}];");
        if (!IsSoftmax(spec))
        {
            return $$"""
                float weight = score;
                rowSum += weight;
                int at = j * HeadDim + lane * DimsPerLane;
                {{accumulate}}
                """;
        }
        return $$"""
            if (score > rowMax)
            {
                // The maximum grew: rescale what was summed under the old one (exp2(−∞) = 0 on the first key).
                float rescale = XMath.Exp2(rowMax - score);
                rowSum *= rescale;
                {{Unrolled.Indent(Unrolled.Lines(layout.DimsPerLane, i => $"o{i} *= rescale;"), 4)}}
                rowMax = score;
            }
            float weight = XMath.Exp2(score - rowMax);
            rowSum += weight;
            int at = j * HeadDim + lane * DimsPerLane;
            {{accumulate}}
            """;
    }

    /// <summary>
    /// Writes the row: normalized output, and for softmax the log-sum-exp when it was asked for, or, when the keys are
    /// split (softmax only), this split's share. Linear attention is never split; it leaves the partial views unused.
    /// </summary>
    public static string Finish(AttentionSpec spec, GpuLayout layout)
    {
        string store = Unrolled.Lines(layout.DimsPerLane, i => $"output[rowAt + {i}] = o{i} * inverse;");
        if (!IsSoftmax(spec))
        {
            return $$"""
                // The ε keeps a row that saw no key at 0 / ε = 0.
                float inverse = 1f / (rowSum + {{Literals.Float(AttentionRules.LinearEpsilon)}});
                {{store}}
                """;
        }
        return $$"""
            if (sizes.KeySplits == 1)
            {
                // Deferred normalization; a row that saw no key has rowSum = 0 and writes zeros.
                float inverse = rowSum > 0f ? 1f / rowSum : 0f;
                {{Unrolled.Indent(store, 4)}}
                if (lane == 0 && logSumExp.Length > 0)
                {
                    // ln Σ exp(scale · q·k) = ln 2 · (max + log2 Σ exp2(s − max)); −∞ for a row that saw no key.
                    logSumExp[(long)batchHead * sizes.QueryLength + row] = rowSum > 0f ? (rowMax + XMath.Log2(rowSum)) * Ln2 : float.NegativeInfinity;
                }
            }
            else
            {
                // This split's share, unnormalized, with its maximum and sum: the combine kernel rescales the shares to
                // their common maximum, adds them in split order and divides once.
                long partialAt = ((long)batchHead * sizes.QueryLength + row) * sizes.KeySplits + split;
                {{Unrolled.Indent(Unrolled.Lines(layout.DimsPerLane, i => $"partialOutputs[partialAt * HeadDim + lane * DimsPerLane + {i}] = o{i};"), 4)}}
                if (lane == 0)
                {
                    partialStats[partialAt * 2] = rowMax;
                    partialStats[partialAt * 2 + 1] = rowSum;
                }
            }
            """;
    }
}

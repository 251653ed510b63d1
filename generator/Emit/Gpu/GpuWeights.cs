using KernelGen.Generator.Model;

namespace KernelGen.Generator.Emit.Gpu;

/// <summary>
/// What the attention kernel does with scores, per kind. Softmax: q pre-scaled by scale·log2(e), an online softmax
/// in base 2 per key tile (the row's maximum over the tile first, the accumulators rescaled once if it grew), divided
/// by the sum at the end, and the log-sum-exp written out. Linear: φ applied to q and to keys as they are staged,
/// the score is the weight, divided by (Σ weights + ε) at the end.
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
        ? "The group's rows of q, pre-scaled by scale · log2(e) so scores come out in base 2 for exp2."
        : "The group's rows of φ(q).";

    /// <summary>The running state a row's owner keeps in registers.</summary>
    public static string State(AttentionSpec spec) => IsSoftmax(spec)
        ? "float rowMax = float.NegativeInfinity, rowSum = 0f;"
        : "float rowSum = 0f;";

    /// <summary>
    /// The owner's pass over its row of the weights tile, unrolled over the tile's keys so that its shared-memory reads
    /// are in flight together: scores of keys [from, to) become weights, every other column of the tile 0; for
    /// softmax the factor the row's accumulators are rescaled by goes to rowFactors.
    /// </summary>
    public static string RowPass(AttentionSpec spec, GpuLayout layout)
    {
        int keys = layout.Tile;
        string Column(int j) => $"weights[{j} * WeightStride + ownColumn]";
        string Visible(int j) => $"{j} >= from && {j} < to";
        string keep = Unrolled.Lines(keys, j => $"rowSum += w{j};\n{Column(j)} = w{j};");
        if (!IsSoftmax(spec))
            return Unrolled.Lines(keys, j => $"float w{j} = {Visible(j)} ? {Column(j)} : 0f;") + "\n" + keep;
        return $$"""
            {{Unrolled.Lines(keys, j => $"float w{j} = {Column(j)};")}}
            float tileMax = rowMax;
            {{Unrolled.Lines(keys, j => $"tileMax = {Visible(j)} ? XMath.Max(tileMax, w{j}) : tileMax;")}}
            // What was summed under the old maximum shrinks by exp2(old − new): 0 at the row's first key, and 1 while
            // the row has seen none (exp2(−∞ − −∞) would be NaN).
            float scale = tileMax == float.NegativeInfinity ? 1f : XMath.Exp2(rowMax - tileMax);
            rowMax = tileMax;
            rowSum *= scale;
            rowFactors[ownColumn] = scale;
            {{Unrolled.Lines(keys, j => $"w{j} = {Visible(j)} ? XMath.Exp2(w{j} - rowMax) : 0f;")}}
            {{keep}}
            """;
    }

    /// <summary>Softmax: each thread rescales its output block by its rows' factors (linear attention: nothing).</summary>
    public static string Rescale(AttentionSpec spec, GpuLayout layout)
    {
        if (!IsSoftmax(spec))
            return "// Linear attention never rescales: its weights are final as they are computed.";
        int rows = layout.RowsPerThread;
        return $"{GpuVectors.Type(rows)} rescale = rowFactorBlocks[rowBlock];\n" + Unrolled.Lines(rows * layout.DimsPerThread,
            n => $"o{n / layout.DimsPerThread}_{n % layout.DimsPerThread} *= rescale{GpuVectors.Component(rows, n / layout.DimsPerThread)};");
    }

    /// <summary>
    /// The owner's last step: the factor its row's output is multiplied by, to rowFactors, and for softmax the
    /// log-sum-exp when it was asked for, or, when the keys are split, this split's maximum and sum.
    /// </summary>
    public static string OwnerFinish(AttentionSpec spec)
    {
        if (!IsSoftmax(spec))
        {
            return $$"""
                // The ε keeps a row that saw no key at 0 / ε = 0.
                rowFactors[ownColumn] = 1f / (rowSum + {{Literals.Float(AttentionRules.LinearEpsilon)}});
                """;
        }
        return """
            // Deferred normalization; a row that saw no key has rowSum = 0 and writes zeros. A split's share stays
            // unnormalized: the combine kernel rescales the shares to their common maximum, adds them in split order and
            // divides once.
            rowFactors[ownColumn] = sizes.KeySplits > 1 ? 1f : rowSum > 0f ? 1f / rowSum : 0f;
            if (ownsRow)
            {
                long row = (long)batchHead * sizes.QueryLength + firstRow + thread;
                if (sizes.KeySplits > 1)
                {
                    partialStats[(row * sizes.KeySplits + split) * 2] = rowMax;
                    partialStats[(row * sizes.KeySplits + split) * 2 + 1] = rowSum;
                }
                else if (logSumExp.Length > 0)
                {
                    // ln Σ exp(scale · q·k) = ln 2 · (max + log2 Σ exp2(s − max)); −∞ for a row that saw no key.
                    logSumExp[row] = rowSum > 0f ? (rowMax + XMath.Log2(rowSum)) * Ln2 : float.NegativeInfinity;
                }
            }
            """;
    }

    /// <summary>
    /// Where the rows go: the output, or, when the keys are split (softmax only), this split's share, laid out
    /// [row, split, headDim] (without splits split is 0 and that is the output's own layout).
    /// </summary>
    public static string Destination(AttentionSpec spec)
        => IsSoftmax(spec) ? "sizes.KeySplits > 1 ? partialOutputs : output" : "output";

    /// <summary>Writes row <c>rowBlock + 8·<paramref name="i"/></c> of the thread's output block, times its factor.</summary>
    public static string Store(GpuLayout layout, int i)
    {
        int width = layout.DimChunk;
        string stores = Unrolled.Lines(layout.DimsPerThread, n =>
            $"destination[at + columnBlock * {width} + {n / width * 8 * width + n % width}] = o{i}_{n} * factor{GpuVectors.Component(layout.RowsPerThread, i)};");
        return $$"""
            if (rowBlock + {{8 * i}} < rowCount)
            {
                long at = (((long)batchHead * sizes.QueryLength + firstRow + rowBlock + {{8 * i}}) * sizes.KeySplits + split) * HeadDim;
                {{Unrolled.Indent(stores, 4)}}
            }
            """;
    }
}

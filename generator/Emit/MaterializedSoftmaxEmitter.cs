using KernelGen.Generator.Model;

namespace KernelGen.Generator.Emit;

/// <summary>Writes softmax attention one query row at a time, with one row of scores as the only scratch.</summary>
internal static class MaterializedSoftmaxEmitter
{
    public static void Emit(IndentedWriter writer, AttentionSpec spec) => writer.Write($$"""
        {{SoftmaxScale.Declaration(spec)}}

        /// <summary>
        /// Softmax attention for the {{spec.GroupSize}} query head(s) that read one key/value head, a row at a time: the
        /// row's scores over its visible keys, their maximum, exp2(s − max), and the weighted sum of V divided by the
        /// sum of weights; the row's log-sum-exp goes to <paramref name="lseGroup"/> if asked.
        /// </summary>
        private static void Group(ReadOnlySpan<float> qGroup, ReadOnlySpan<float> kHead, ReadOnlySpan<float> vHead,
            Span<float> outGroup, Span<float> lseGroup, int queryLength, int validKeys)
        {
            float[] scores = ArrayPool<float>.Shared.Rent(Math.Max(validKeys, 1));
            try
            {
                int firstPosition = validKeys - queryLength;
                for (int row = 0; row < GroupSize * queryLength; row++)
                {
                    Span<float> outRow = outGroup.Slice(row * HeadDim, HeadDim);
                    outRow.Clear();
                    (int start, int end) = VisibleKeys(firstPosition + row % queryLength, validKeys);
                    if (!lseGroup.IsEmpty)
                        lseGroup[row] = float.NegativeInfinity;
                    if (start == end)
                        continue; // no visible key: the row stays zero and its LSE −∞

                    ReadOnlySpan<float> qRow = qGroup.Slice(row * HeadDim, HeadDim);
                    float max = float.NegativeInfinity;
                    for (int j = start; j < end; j++)
                    {
                        float s = ScaleLog2E * Dot(qRow, kHead.Slice(j * HeadDim, HeadDim));
                        scores[j - start] = s;
                        max = Math.Max(max, s);
                    }

                    float sum = 0f;
                    for (int j = start; j < end; j++)
                    {
                        float p = float.Exp2(scores[j - start] - max);
                        sum += p;
                        AddScaled(outRow, vHead.Slice(j * HeadDim, HeadDim), p);
                    }
                    Scale(outRow, 1f / sum);
                    if (!lseGroup.IsEmpty)
                        lseGroup[row] = LogSumExp.FromBase2(max, sum);
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(scores);
            }
        }
        """);
}

using KernelGen.Generator.Model;

namespace KernelGen.Generator.Emit;

/// <summary>Writes the flash algorithm: query tiles × key tiles with an online softmax and deferred normalization.</summary>
internal static class FlashSoftmaxEmitter
{
    public static void Emit(IndentedWriter writer, AttentionSpec spec) => writer.Write($$"""
        /// <summary>Query rows per tile.</summary>
        public const int TileQ = {{spec.TileQ}};
        /// <summary>Keys per tile.</summary>
        public const int TileKv = {{spec.TileKv}};
        {{SoftmaxScale.Declaration(spec)}}

        /// <summary>
        /// Flash attention for the {{spec.GroupSize}} query head(s) that read one key/value head. Queries go in tiles of
        /// TileQ rows; a tile walks, in tiles of TileKv, only the keys some row of it can see. Each row keeps a running
        /// maximum m, a running sum l of exp2(s − m) and an unnormalized output, rescaled by exp2(m_old − m_new) when m
        /// grows, and divided by l once at the end, when the row's log-sum-exp goes to <paramref name="lseGroup"/> if asked.
        /// </summary>
        private static void Group(ReadOnlySpan<float> qGroup, ReadOnlySpan<float> kHead, ReadOnlySpan<float> vHead,
            Span<float> outGroup, Span<float> lseGroup, int queryLength, int validKeys)
        {
            float[] scratch = ArrayPool<float>.Shared.Rent(TileQ * HeadDim + TileQ * TileKv + 2 * TileQ);
            try
            {
                Span<float> accumulators = scratch.AsSpan(0, TileQ * HeadDim);
                Span<float> scores = scratch.AsSpan(TileQ * HeadDim, TileQ * TileKv);
                Span<float> rowMax = scratch.AsSpan(TileQ * HeadDim + TileQ * TileKv, TileQ);
                Span<float> rowSum = scratch.AsSpan(TileQ * HeadDim + TileQ * TileKv + TileQ, TileQ);
                int firstPosition = validKeys - queryLength;
                for (int head = 0; head < GroupSize; head++)
                for (int i0 = 0; i0 < queryLength; i0 += TileQ)
                {
                    int rows = Math.Min(TileQ, queryLength - i0);
                    ReadOnlySpan<float> qTile = qGroup.Slice((head * queryLength + i0) * HeadDim, rows * HeadDim);
                    Span<float> outTile = outGroup.Slice((head * queryLength + i0) * HeadDim, rows * HeadDim);

                    // The tile's first row starts, and its last row ends, the keys any of its rows can see.
                    int keysStart = VisibleKeys(firstPosition + i0, validKeys).Start;
                    int keysEnd = VisibleKeys(firstPosition + i0 + rows - 1, validKeys).End;
                    accumulators.Clear();
                    rowMax.Fill(float.NegativeInfinity);
                    rowSum.Clear();

                    for (int j0 = keysStart; j0 < keysEnd; j0 += TileKv)
                    {
                        int j1 = Math.Min(j0 + TileKv, keysEnd);
                        for (int r = 0; r < rows; r++)
                        {
                            // Clamp to this row's keys: nothing changes inside the mask, the edge tiles get cut.
                            (int start, int end) = VisibleKeys(firstPosition + i0 + r, validKeys);
                            int from = Math.Max(j0, start), to = Math.Min(j1, end);
                            if (from >= to)
                                continue;

                            ReadOnlySpan<float> qRow = qTile.Slice(r * HeadDim, HeadDim);
                            Span<float> rowScores = scores.Slice(r * TileKv, TileKv);
                            float tileMax = float.NegativeInfinity;
                            for (int j = from; j < to; j++)
                            {
                                float s = ScaleLog2E * Dot(qRow, kHead.Slice(j * HeadDim, HeadDim));
                                rowScores[j - j0] = s;
                                tileMax = Math.Max(tileMax, s);
                            }

                            float newMax = Math.Max(rowMax[r], tileMax);
                            // exp2(−∞) = 0 on the row's first tile, so the empty accumulator needs no special case.
                            float rescale = float.Exp2(rowMax[r] - newMax);
                            Span<float> accumulator = accumulators.Slice(r * HeadDim, HeadDim);
                            Scale(accumulator, rescale);
                            float sum = rowSum[r] * rescale;
                            for (int j = from; j < to; j++)
                            {
                                float p = float.Exp2(rowScores[j - j0] - newMax);
                                sum += p;
                                AddScaled(accumulator, vHead.Slice(j * HeadDim, HeadDim), p);
                            }
                            rowSum[r] = sum;
                            rowMax[r] = newMax;
                        }
                    }

                    for (int r = 0; r < rows; r++)
                    {
                        // Deferred normalization; a row that saw no key has l = 0 and writes zeros (and LSE = −∞).
                        if (!lseGroup.IsEmpty)
                            lseGroup[head * queryLength + i0 + r] = LogSumExp.FromBase2(rowMax[r], rowSum[r]);
                        float inverse = rowSum[r] > 0f ? 1f / rowSum[r] : 0f;
                        Span<float> outRow = outTile.Slice(r * HeadDim, HeadDim);
                        accumulators.Slice(r * HeadDim, HeadDim).CopyTo(outRow);
                        Scale(outRow, inverse);
                    }
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(scratch);
            }
        }
        """);
}

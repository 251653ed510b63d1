using KernelGen.Generator.Model;

namespace KernelGen.Generator.Emit;

/// <summary>
/// Writes linear attention in chunks: for each tile of query rows, the keys every row sees (the bulk) act through a
/// running state S = Σ φ(k)vᵀ, z = Σ φ(k), and the few keys only some rows see (the edges) through explicit masked
/// weights. State updates, φ(Q)·S and the edge products are small matrix products, so the work runs at matrix-
/// multiply speed, and the cost is O(N·HeadDim²) whatever the mask. One piece per (batch, key/value head): chunks
/// depend on the state before them.
/// </summary>
internal static class ChunkedLinearEmitter
{
    public static void Emit(IndentedWriter writer, AttentionSpec spec)
    {
        const string Call = "AttentionWorkers.Run<LinearGroup<{0}>>(q, k, v, output, Span<float>.Empty, keyLengths, batch, queryLength, keyLength, batch * KvHeads)";
        writer.Write("""
            /// <summary>Query rows per chunk (the group's heads stacked query by query), and keys per edge block.</summary>
            private const int Chunk = 32;

            /// <summary>Rows of a chunk whose edge weights are computed together, over only the keys some row of them sees.</summary>
            private const int Band = 16;

            """);
        CpuPathSwitch.Emit(writer, spec,
            call512: string.Format(Call, "Simd512, Vector512<float>"),
            call256: string.Format(Call, "Simd256, Vector256<float>"),
            callScalar: string.Format(Call, "SimdScalar, float"));
        writer.BlankLine();
        writer.Write($$"""
            private readonly struct LinearGroup<TWidth, TVector> : IAttentionWork
                where TWidth : struct, ISimdWidth<TVector>
                where TVector : struct
            {
                /// <summary>
                /// All query chunks of one (batch, key/value head) group, in order. The state holds the keys
                /// [inStart, inEnd); both ends only move forward, keys entering are added and keys leaving subtracted
                /// (or the state restarts when the window jumps past it).
                /// </summary>
                public static void Execute(in AttentionBuffers buffers, int group)
                {
                    int queryLength = buffers.QueryLength, keyLength = buffers.KeyLength;
                    int validKeys = buffers.ValidKeys(group / KvHeads);
                    int firstPosition = validKeys - queryLength;
                    int rowsPerGroup = queryLength * GroupSize;
                    int queryOffset = group * rowsPerGroup * HeadDim;
                    ReadOnlySpan<float> values = buffers.V.Slice(group * keyLength * HeadDim, keyLength * HeadDim);
                    int edgePad = (Chunk + TWidth.Count - 1) / TWidth.Count * TWidth.Count;

                    float[] rented = ArrayPool<float>.Shared.Rent(validKeys * HeadDim + HeadDim * HeadDim + HeadDim
                        + 2 * Chunk * HeadDim + Chunk + HeadDim * edgePad + Chunk * edgePad);
                    try
                    {
                        Span<float> rest = rented;
                        Span<float> phiK = Take(ref rest, validKeys * HeadDim);
                        Span<float> state = Take(ref rest, HeadDim * HeadDim);
                        Span<float> normalizer = Take(ref rest, HeadDim);
                        Span<float> phiQ = Take(ref rest, Chunk * HeadDim);
                        Span<float> sums = Take(ref rest, Chunk * HeadDim);
                        Span<float> denominators = Take(ref rest, Chunk);
                        Span<float> phiKT = Take(ref rest, HeadDim * edgePad);
                        Span<float> weights = Take(ref rest, Chunk * edgePad);

                        // φ of every valid key once: the state and the edges both read it.
                        LinearFeatureMap.Apply(buffers.K.Slice(group * keyLength * HeadDim, validKeys * HeadDim), phiK, TWidth.Path);
                        state.Clear();
                        normalizer.Clear();
                        int inStart = 0, inEnd = 0;

                        for (int first = 0; first < rowsPerGroup; first += Chunk)
                        {
                            int rows = Math.Min(Chunk, rowsPerGroup - first);
                            (int firstStart, int firstEnd) = VisibleKeys(firstPosition + first / GroupSize, validKeys);
                            (int lastStart, int lastEnd) = VisibleKeys(firstPosition + (first + rows - 1) / GroupSize, validKeys);
                            // The bulk: keys every row of the chunk sees. Ends only grow, so the state follows it.
                            int bulkStart = lastStart, bulkEnd = Math.Max(lastStart, firstEnd);
                            if (bulkStart >= inEnd)
                            {
                                state.Clear();
                                normalizer.Clear();
                                inStart = inEnd = bulkStart;
                            }
                            UpdateState(phiK, values, state, normalizer, inEnd, bulkEnd, 1f);
                            UpdateState(phiK, values, state, normalizer, inStart, bulkStart, -1f);
                            (inStart, inEnd) = (bulkStart, bulkEnd);

                            for (int r = 0; r < rows; r++)
                            {
                                int t = first + r;
                                LinearFeatureMap.Apply(buffers.Q.Slice(queryOffset + (t % GroupSize * queryLength + t / GroupSize) * HeadDim, HeadDim),
                                    phiQ.Slice(r * HeadDim, HeadDim), TWidth.Path);
                                denominators[r] = RowVectors.Dot<TWidth, TVector>(phiQ.Slice(r * HeadDim), normalizer, HeadDim);
                            }
                            sums.Slice(0, rows * HeadDim).Clear();
                            SmallMatrix.MultiplyAdd<TWidth, TVector>(phiQ, HeadDim, 1, state, HeadDim, sums, HeadDim, rows, HeadDim, HeadDim);

                            // The edges: keys some rows of the chunk see and others do not.
                            AddEdges(phiQ, phiK, values, sums, denominators, phiKT, weights, edgePad, rows, first, firstPosition, validKeys, firstStart, bulkStart);
                            AddEdges(phiQ, phiK, values, sums, denominators, phiKT, weights, edgePad, rows, first, firstPosition, validKeys, bulkEnd, lastEnd);

                            for (int r = 0; r < rows; r++)
                            {
                                int t = first + r;
                                Span<float> target = buffers.Output.Slice(queryOffset + (t % GroupSize * queryLength + t / GroupSize) * HeadDim, HeadDim);
                                (int start, int end) = VisibleKeys(firstPosition + t / GroupSize, validKeys);
                                // A row that sees no key writes zeros; otherwise o = φ(q)ᵀS / (φ(q)·z + ε).
                                float inverse = start == end ? 0f : 1f / (denominators[r] + {{Literals.Float(AttentionRules.LinearEpsilon)}});
                                RowVectors.Scale<TWidth, TVector>(sums.Slice(r * HeadDim), inverse, target, HeadDim);
                            }
                        }
                    }
                    finally
                    {
                        ArrayPool<float>.Shared.Return(rented);
                    }
                }

                private static ReadOnlySpan<float> One => [1f];

                private static Span<float> Take(ref Span<float> rest, int length)
                {
                    Span<float> taken = rest.Slice(0, length);
                    rest = rest.Slice(length);
                    return taken;
                }

                /// <summary>Adds (sign 1) or subtracts (sign −1) keys [from, to): S += sign · φ(K)ᵀV, z += sign · Σ φ(k).</summary>
                private static void UpdateState(ReadOnlySpan<float> phiK, ReadOnlySpan<float> values, Span<float> state,
                    Span<float> normalizer, int from, int to, float sign)
                {
                    if (from >= to)
                        return;
                    ReadOnlySpan<float> keys = phiK.Slice(from * HeadDim, (to - from) * HeadDim);
                    SmallMatrix.MultiplyAdd<TWidth, TVector>(keys, 1, HeadDim, values.Slice(from * HeadDim), HeadDim,
                        state, HeadDim, HeadDim, HeadDim, to - from, sign);
                    // z as a one-row product, 1ᵀ·φ(K): A's strides of 0 read the single 1 for every element, and z stays
                    // in registers across the keys instead of going through memory once per key.
                    SmallMatrix.MultiplyAdd<TWidth, TVector>(One, 0, 0, keys, HeadDim, normalizer, HeadDim, 1, HeadDim, to - from, sign);
                }

                /// <summary>
                /// Keys [from, to), in blocks of Chunk: weights φ(q)·φ(k) cut to each row's visible keys, added to the
                /// rows' denominators, and their weighted values to the rows' sums. Bands of rows skip the keys none of
                /// their rows sees (causal: above the diagonal), so a triangle costs little more than half a square.
                /// </summary>
                private static void AddEdges(ReadOnlySpan<float> phiQ, ReadOnlySpan<float> phiK, ReadOnlySpan<float> values,
                    Span<float> sums, Span<float> denominators, Span<float> phiKT, Span<float> weights, int edgePad,
                    int rows, int first, int firstPosition, int validKeys, int from, int to)
                {
                    for (int e0 = from; e0 < to; e0 += Chunk)
                    {
                        int count = Math.Min(Chunk, to - e0);
                        // Padding columns past count meet zero weights after the mask; cleared only so they hold no NaN.
                        if (count < edgePad)
                            phiKT.Clear();
                        SmallMatrix.Transpose(phiK.Slice(e0 * HeadDim), HeadDim, count, HeadDim, phiKT, edgePad);
                        weights.Slice(0, rows * edgePad).Clear();
                        for (int r0 = 0; r0 < rows; r0 += Band)
                        {
                            int bandRows = Math.Min(Band, rows - r0);
                            // Visible ranges only move forward with the row, so the band's keys run from its first
                            // row's start to its last row's end.
                            int bandStart = VisibleKeys(firstPosition + (first + r0) / GroupSize, validKeys).Start;
                            int bandEnd = VisibleKeys(firstPosition + (first + r0 + bandRows - 1) / GroupSize, validKeys).End;
                            int keyFrom = Math.Clamp(bandStart - e0, 0, count), keyTo = Math.Clamp(bandEnd - e0, keyFrom, count);
                            if (keyFrom == keyTo)
                                continue;
                            int columnFrom = keyFrom / TWidth.Count * TWidth.Count;
                            int columnTo = (keyTo + TWidth.Count - 1) / TWidth.Count * TWidth.Count;
                            SmallMatrix.MultiplyAdd<TWidth, TVector>(phiQ.Slice(r0 * HeadDim), HeadDim, 1, phiKT.Slice(columnFrom), edgePad,
                                weights.Slice(r0 * edgePad + columnFrom), edgePad, bandRows, columnTo - columnFrom, HeadDim);
                            for (int r = r0; r < r0 + bandRows; r++)
                            {
                                (int start, int end) = VisibleKeys(firstPosition + (first + r) / GroupSize, validKeys);
                                int visibleFrom = Math.Clamp(start - e0, 0, count), visibleTo = Math.Clamp(end - e0, visibleFrom, count);
                                Span<float> row = weights.Slice(r * edgePad, edgePad);
                                row.Slice(0, visibleFrom).Clear();
                                row.Slice(visibleTo).Clear();
                                denominators[r] += RowVectors.Sum<TWidth, TVector>(row, edgePad);
                            }
                            SmallMatrix.MultiplyAdd<TWidth, TVector>(weights.Slice(r0 * edgePad + keyFrom), edgePad, 1,
                                values.Slice((e0 + keyFrom) * HeadDim), HeadDim, sums.Slice(r0 * HeadDim), HeadDim, bandRows, HeadDim, keyTo - keyFrom);
                        }
                    }
                }
            }
            """);
    }
}

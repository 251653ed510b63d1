using KernelGen.Generator.Model;

namespace KernelGen.Generator.Emit;

/// <summary>
/// Writes linear attention in chunks: for each tile of query rows, the keys every row sees (the bulk) act through a
/// running state S = Σ φ(k)vᵀ, z = Σ φ(k), and the few keys only some rows see (the edges) through explicit masked
/// weights. The state updates, the edge weights and each chunk's output (φ(q)ᵀS and the edges' weighted values in one
/// register block) are the runtime's chunk kernels, <c>LinearChunk</c>, compiled with the head dimension a constant.
/// The cost is O(N·HeadDim²) whatever the mask. One piece per (batch, key/value head): chunks depend on the state
/// before them.
/// </summary>
internal static class ChunkedLinearEmitter
{
    public static void Emit(IndentedWriter writer, AttentionSpec spec)
    {
        const string Call = "AttentionWorkers.Run<LinearGroup<{0}>>(q, k, v, output, Span<float>.Empty, keyLengths, batch, queryLength, keyLength, batch * KvHeads)";
        writer.Write("""
            /// <summary>
            /// Query rows per chunk (the group's heads stacked query by query). Visible ranges move by at most one key
            /// per row at either end, so neither edge of a chunk holds more keys than it has rows.
            /// </summary>
            private const int Chunk = LinearChunk.Rows;

            /// <summary>The head dimension as a type, so that the runtime's chunk kernels compile with it a constant.</summary>
            private readonly struct Dimension : IHeadDimension
            {
                public static int Value => HeadDim;
            }

            """);
        CpuPathSwitch.Emit(writer, spec,
            call512: string.Format(Call, "Simd512, Vector512<float>"),
            call256: string.Format(Call, "Simd256, Vector256<float>"),
            callScalar: string.Format(Call, "SimdScalar, float"));
        writer.BlankLine();
        // With one query head per key/value head the chunk's rows lie together in Q and are transposed from there;
        // otherwise (heads interleave query by query) they are gathered into rows first.
        string transposeQueries = spec.GroupSize == 1
            ? "SmallMatrix.Transpose(buffers.Q.Slice(queryOffset + first * HeadDim), HeadDim, rows, HeadDim, phiQT, Chunk);"
            : """
              for (int r = 0; r < rows; r++)
                                  buffers.Q.Slice(queryOffset + ((first + r) % GroupSize * queryLength + (first + r) / GroupSize) * HeadDim, HeadDim).CopyTo(gathered.Slice(r * HeadDim));
                              SmallMatrix.Transpose(gathered, HeadDim, rows, HeadDim, phiQT, Chunk);
              """;
        // A sliding window subtracts keys from the state as it leaves them, and a non-finite key or value does not
        // subtract out: the state notes the last one and restarts once the window has left it.
        bool subtracts = spec.Window > 0;
        string nonFiniteDeclaration = subtracts
            ? "\n            int nonFiniteEnd = 0; // one past the last key in the state with a non-finite φ(k) or v; ≤ inStart if none"
            : "";
        string restartPastNonFinite = subtracts ? " || (nonFiniteEnd > inStart && bulkStart >= nonFiniteEnd)" : "";
        string findNonFinite = subtracts
            ? """

              // Keys whose φ(k) or v is not finite cannot be subtracted again (∞ − ∞ and NaN − NaN are NaN), so the
              // state notes where the last one is and restarts once the window has left it. Entering a finite state,
              // one shows in z or in S's first row (φ > 0 carries a value's NaN down its column); a state that holds
              // one already has the new keys searched directly. Finite keys that overflow the state: the whole block.
              bool holdsNonFinite = nonFiniteEnd > inStart;
              if (holdsNonFinite || !NonFiniteRows.AllFinite(normalizer) || !NonFiniteRows.AllFinite(state.Slice(0, HeadDim)))
              {
                  int found = NonFiniteRows.LastEnd(buffers.K.Slice(group * keyLength * HeadDim), values, HeadDim, inEnd, bulkEnd);
                  nonFiniteEnd = Math.Max(nonFiniteEnd, found > 0 || holdsNonFinite ? found : bulkEnd);
              }
              """
            : "";
        string gatheredLength = spec.GroupSize == 1 ? "" : " + Chunk * HeadDim";
        string gatheredTake = spec.GroupSize == 1 ? "" : "\n            Span<float> gathered = Take(ref rest, Chunk * HeadDim);";
        writer.Write($$"""
            private readonly struct LinearGroup<TWidth, TVector> : IAttentionWork
                where TWidth : struct, ISimdWidth<TVector>
                where TVector : struct
            {
                /// <summary>
                /// All query chunks of one (batch, key/value head) group, in order. The state holds the keys
                /// [inStart, inEnd); both ends only move forward, keys entering are added and keys leaving subtracted
                /// (or the state restarts when the window jumps past it, or has left a non-finite key or value).
                /// </summary>
                /// <remarks>
                /// The chunk's queries are held transposed, φ(Q)ᵀ with one column per row, so that everything per row is
                /// a vector across rows: the denominators z·φ(Q)ᵀ, the edge weights φ(K)·φ(Q)ᵀ (one key per row,
                /// φ(K) as mapped, row-major) and their sums over keys. Nothing is summed across a vector's lanes, and
                /// only one matrix per chunk is transposed.
                /// </remarks>
                public static void Execute(in AttentionBuffers buffers, int group)
                {
                    int queryLength = buffers.QueryLength, keyLength = buffers.KeyLength;
                    int validKeys = buffers.ValidKeys(group / KvHeads);
                    int firstPosition = validKeys - queryLength;
                    int rowsPerGroup = queryLength * GroupSize;
                    int queryOffset = group * rowsPerGroup * HeadDim;
                    ReadOnlySpan<float> values = buffers.V.Slice(group * keyLength * HeadDim, keyLength * HeadDim);
                    Span<int> starts = stackalloc int[Chunk], ends = stackalloc int[Chunk], rowOffsets = stackalloc int[Chunk];

                    float[] rented = ArrayPool<float>.Shared.Rent(Chunk * HeadDim + (Chunk + HeadDim) * HeadDim + (2 * Chunk + HeadDim) * Chunk
                        + HeadDim + 2 * Chunk{{gatheredLength}} + CacheLineAlignment.Slack);
                    try
                    {
                        // The start edge's values and weights end where S and φ(Q)ᵀ begin, the end edge's weights follow
                        // φ(Q)ᵀ, so that one register block runs over all three (LinearChunk.Output). Every row starts on
                        // a cache line, so no vector load or store of S, φ(K) or φ(Q)ᵀ straddles two.
                        Span<float> rest = CacheLineAlignment.Align(rented);
                        var mapped = new MappedKeys(buffers.K.Slice(group * keyLength * HeadDim, validKeys * HeadDim), Take(ref rest, Chunk * HeadDim));
                        Span<float> valuesAndState = Take(ref rest, (Chunk + HeadDim) * HeadDim), state = valuesAndState.Slice(Chunk * HeadDim, HeadDim * HeadDim);
                        Span<float> weightsAndQueries = Take(ref rest, (2 * Chunk + HeadDim) * Chunk), phiQT = weightsAndQueries.Slice(Chunk * Chunk, HeadDim * Chunk);
                        Span<float> normalizer = Take(ref rest, HeadDim);
                        Span<float> denominators = Take(ref rest, Chunk);
                        Span<float> inverse = Take(ref rest, Chunk);{{gatheredTake}}

                        state.Clear();
                        normalizer.Clear();
                        int inStart = 0, inEnd = 0;{{nonFiniteDeclaration}}

                        for (int first = 0; first < rowsPerGroup; first += Chunk)
                        {
                            int rows = Math.Min(Chunk, rowsPerGroup - first);
                            for (int r = 0; r < rows; r++)
                                (starts[r], ends[r]) = VisibleKeys(firstPosition + (first + r) / GroupSize, validKeys);
                            // The state holds keys every row of the chunk sees, [bulkStart, bulkEnd); ends only grow, so it
                            // follows them. Its start moves as soon as the first rows' keys leave the last row's window.
                            // Its end waits while the keys past it still fit one edge: with several query heads per
                            // key/value head a chunk's rows span few positions, and adding 4 keys at a time cost more than
                            // weighing up to 16 explicitly (GQA 8/2, causal, N=4096: 120 GFLOP/s adding each chunk's keys,
                            // 135 waiting).
                            int bulkStart = starts[rows - 1];
                            if (bulkStart >= inEnd{{restartPastNonFinite}})
                            {
                                state.Clear();
                                normalizer.Clear();
                                inStart = inEnd = bulkStart;
                            }
                            int bulkEnd = ends[rows - 1] - inEnd <= Chunk ? inEnd : Math.Max(bulkStart, ends[0]);
                            // What the next chunk reads first, its keys, values and queries, is prefetched during the state
                            // update, a few lines before each register block, so the misses overlap the FMAs (at N=16384,
                            // D=64, with chunks of 32: 68 → 83 GFLOP/s, where prefetching it in one burst had gained 7%).
                            // Not the output rows: the stores that write them stalled as long prefetched as not (profiled).
                            int nextRows = Math.Min(Chunk, rowsPerGroup - first - rows);
                            int nextKeys = nextRows == 0 ? 0 : Math.Min(Chunk, validKeys - ends[rows - 1]);
                            int nextKeyOffset = (group * keyLength + ends[rows - 1]) * HeadDim;
                            var next = new PrefetchRegions(new(buffers.K.Slice(nextKeyOffset, nextKeys * HeadDim)),
                                new(buffers.V.Slice(nextKeyOffset, nextKeys * HeadDim)), QueryRows(buffers.Q, queryOffset, queryLength, first + rows, nextRows));
                            UpdateState(ref mapped, values, state, normalizer, inEnd, bulkEnd, 1f, ref next);{{Indentation.Continue(findNonFinite, 4)}}
                            UpdateState(ref mapped, values, state, normalizer, inStart, bulkStart, -1f, ref next);
                            (inStart, inEnd) = (bulkStart, bulkEnd);

                            // φ(Q)ᵀ; a last, short chunk's missing columns are cleared, so they hold φ(0) = 1 rather than
                            // the chunk before's queries: the edge weights mask them out and their rows are not stored.
                            if (rows < Chunk)
                                phiQT.Clear();
                            {{transposeQueries}}
                            LinearFeatureMap.Apply(phiQT, phiQT, TWidth.Path);

                            // The edges: keys [starts[0], bulkStart) that earlier rows see and later ones do not (windows),
                            // and [bulkEnd, ends[rows − 1]) that later rows see and earlier ones do not (causal: the
                            // diagonal). Their masked weights and their values go either side of φ(Q)ᵀ and S, and the
                            // output is one register block per 4 rows over state and edges, divided and stored as it ends.
                            // Against separate products over chunks of 32 rows (harness, 1 thread, alternating runs):
                            // causal N=16384 D=64 84 → 88 GFLOP/s, window 50 → 56, GQA 8/2 130 → 135, 256-bit path 46 → 51.
                            LinearChunk.Denominators<TWidth, TVector, Dimension>(normalizer, phiQT, denominators);
                            int startKeys = bulkStart - starts[0], endKeys = ends[rows - 1] - bulkEnd;
                            LinearChunk.EdgeWeights<TWidth, TVector, Dimension>(mapped.Get(starts[0], bulkStart), startKeys, phiQT, starts, ends, rows, starts[0],
                                weightsAndQueries.Slice((Chunk - startKeys) * Chunk), denominators);
                            values.Slice(starts[0] * HeadDim, startKeys * HeadDim).CopyTo(valuesAndState.Slice((Chunk - startKeys) * HeadDim));
                            LinearChunk.EdgeWeights<TWidth, TVector, Dimension>(mapped.Get(bulkEnd, ends[rows - 1]), endKeys, phiQT, starts, ends, rows, bulkEnd,
                                weightsAndQueries.Slice((Chunk + HeadDim) * Chunk), denominators);

                            for (int r = 0; r < rows; r++)
                            {
                                int t = first + r;
                                rowOffsets[r] = queryOffset + (t % GroupSize * queryLength + t / GroupSize) * HeadDim;
                                // A row that sees no key writes zeros; otherwise o = φ(q)ᵀS / (φ(q)·z + ε).
                                inverse[r] = starts[r] == ends[r] ? 0f : 1f / (denominators[r] + {{Literals.Float(AttentionRules.LinearEpsilon)}});
                            }
                            LinearChunk.Output<TWidth, TVector, Dimension>(weightsAndQueries, valuesAndState, values.Slice(bulkEnd * HeadDim, endKeys * HeadDim), starts[0], startKeys, bulkEnd, endKeys,
                                starts, ends, inverse, rows, buffers.Output, rowOffsets);
                        }
                    }
                    finally
                    {
                        ArrayPool<float>.Shared.Return(rented);
                    }
                }

                /// <summary>
                /// φ of up to Chunk consecutive keys, mapped when asked for and kept for a request that starts at the same
                /// key: a chunk's last edge block is mostly the next chunk's state update. Scratch stays one block
                /// whatever the sequence length, at the speed of one pass over all keys up front (measured), which
                /// needed a float per key and dimension.
                /// </summary>
                private ref struct MappedKeys
                {
                    private readonly ReadOnlySpan<float> keys;
                    private readonly Span<float> phi;
                    private int from, to;

                    public MappedKeys(ReadOnlySpan<float> keys, Span<float> phi)
                    {
                        this.keys = keys;
                        this.phi = phi;
                    }

                    /// <summary>
                    /// φ of keys [start, end), end − start ≤ Chunk, as the first rows of HeadDim of all Chunk rows (the
                    /// edge weights read a whole block at fixed strides, and drop the rows past the keys).
                    /// </summary>
                    public ReadOnlySpan<float> Get(int start, int end)
                    {
                        if (start != from)
                            (from, to) = (start, start);
                        if (end > to)
                        {
                            LinearFeatureMap.Apply(keys.Slice(to * HeadDim, (end - to) * HeadDim), phi.Slice((to - from) * HeadDim), TWidth.Path);
                            to = end;
                        }
                        return phi;
                    }
                }

                // scoped: what it returns is part of rest's buffer, not of the local rest, so it lives as long as the buffer.
                private static Span<float> Take(scoped ref Span<float> rest, int length)
                {
                    Span<float> taken = rest.Slice(0, length);
                    rest = rest.Slice(length);
                    return taken;
                }

                /// <summary>
                /// Adds (sign 1) or subtracts (sign −1) keys [from, to): S += sign · φ(K)ᵀV, z += sign · Σ φ(k), a chunk of
                /// keys at a time; the first chunk prefetches what is left of <paramref name="fetch"/> as it goes. With no
                /// keys, nothing is prefetched: all at once, the prefetches stalled the chunk more than the misses they saved
                /// (GQA 8/2, causal, N=4096, where the state's end waits three chunks in four: 137 → 142 GFLOP/s without).
                /// </summary>
                private static void UpdateState(ref MappedKeys mapped, ReadOnlySpan<float> values, Span<float> state,
                    Span<float> normalizer, int from, int to, float sign, scoped ref PrefetchRegions fetch)
                {
                    for (int k0 = from; k0 < to; k0 += Chunk)
                    {
                        int count = Math.Min(Chunk, to - k0);
                        LinearChunk.AddKeys<TWidth, TVector, Dimension>(mapped.Get(k0, k0 + count), values.Slice(k0 * HeadDim, count * HeadDim), count, sign,
                            state, normalizer, ref fetch);
                    }
                }
            }
            """);
    }
}

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

            /// <summary>
            /// Keys of an edge block whose weights are computed together, for only the rows that see some of them; and
            /// rows whose weighted values are summed together, over only the keys some row of them sees.
            /// </summary>
            private const int Band = 16;

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
                    Span<int> starts = stackalloc int[Chunk], ends = stackalloc int[Chunk];

                    float[] rented = ArrayPool<float>.Shared.Rent(3 * Chunk * HeadDim + HeadDim * HeadDim + HeadDim
                        + Chunk + Chunk * Chunk{{gatheredLength}});
                    try
                    {
                        Span<float> rest = rented;
                        var mapped = new MappedKeys(buffers.K.Slice(group * keyLength * HeadDim, validKeys * HeadDim), Take(ref rest, Chunk * HeadDim));
                        Span<float> state = Take(ref rest, HeadDim * HeadDim);
                        Span<float> normalizer = Take(ref rest, HeadDim);
                        Span<float> phiQT = Take(ref rest, HeadDim * Chunk);
                        Span<float> sums = Take(ref rest, Chunk * HeadDim);
                        Span<float> denominators = Take(ref rest, Chunk);
                        Span<float> weightsT = Take(ref rest, Chunk * Chunk);{{gatheredTake}}

                        state.Clear();
                        normalizer.Clear();
                        int inStart = 0, inEnd = 0;{{nonFiniteDeclaration}}

                        for (int first = 0; first < rowsPerGroup; first += Chunk)
                        {
                            int rows = Math.Min(Chunk, rowsPerGroup - first);
                            for (int r = 0; r < rows; r++)
                                (starts[r], ends[r]) = VisibleKeys(firstPosition + (first + r) / GroupSize, validKeys);
                            // The bulk: keys every row of the chunk sees. Ends only grow, so the state follows it. Each
                            // end gives up to 3 keys to the edges, so that an edge range is whole 4-key blocks, not a few
                            // key rows left to run one by one, each a chain of dependent FMAs (GQA 8/2, causal, N=4096:
                            // 124.9 → 128.5 GFLOP/s over four alternating runs; causal MHA, whose diagonal grew from 31
                            // keys to 32: unchanged).
                            int bulkStart = starts[rows - 1], bulkEnd = Math.Max(bulkStart, ends[0]);
                            bulkEnd = Math.Max(bulkStart, bulkEnd - (4 - (ends[rows - 1] - bulkEnd) % 4) % 4);
                            bulkStart = Math.Min(bulkEnd, bulkStart + (4 - (bulkStart - starts[0]) % 4) % 4);
                            if (bulkStart >= inEnd{{restartPastNonFinite}})
                            {
                                state.Clear();
                                normalizer.Clear();
                                inStart = inEnd = bulkStart;
                            }
                            // What the next chunk reads first is prefetched during this chunk's two big products, a few
                            // lines before each register block, so the misses overlap the FMAs (at N=16384, D=64: 68 → 83
                            // GFLOP/s, where prefetching it in one burst had gained 7%): its keys and values during the
                            // state update, its query rows during the read-out. Not this chunk's output rows: prefetched
                            // during the read-out or the edges, the stores that write them stalled as long as without
                            // (profiled), and the read-out had twice the lines to fetch (causal, alternating runs without
                            // them: 83.8 → 86.1 and 84.0 → 84.8 GFLOP/s).
                            int nextRows = Math.Min(Chunk, rowsPerGroup - first - rows);
                            int nextKeys = nextRows == 0 ? 0 : Math.Min(Chunk, validKeys - ends[rows - 1]);
                            int nextKeyOffset = (group * keyLength + ends[rows - 1]) * HeadDim;
                            UpdateState(ref mapped, values, state, normalizer, inEnd, bulkEnd, 1f,
                                new(new(buffers.K.Slice(nextKeyOffset, nextKeys * HeadDim)), new(buffers.V.Slice(nextKeyOffset, nextKeys * HeadDim))));{{Indentation.Continue(findNonFinite, 4)}}
                            UpdateState(ref mapped, values, state, normalizer, inStart, bulkStart, -1f, default);
                            (inStart, inEnd) = (bulkStart, bulkEnd);

                            // φ(Q)ᵀ; a last, short chunk's missing columns are zero, so they weigh nothing below.
                            if (rows < Chunk)
                                phiQT.Clear();
                            {{transposeQueries}}
                            LinearFeatureMap.Apply(phiQT, phiQT, TWidth.Path);
                            denominators.Clear();
                            SmallMatrix.MultiplyAdd<TWidth, TVector>(normalizer, 0, 1, phiQT, Chunk, denominators, Chunk, 1, Chunk, HeadDim);
                            sums.Slice(0, rows * HeadDim).Clear();
                            SmallMatrix.MultiplyAdd<TWidth, TVector>(phiQT, 1, Chunk, state, HeadDim, sums, HeadDim, rows, HeadDim, HeadDim, 1f,
                                new(QueryRows(buffers.Q, queryOffset, queryLength, first + rows, nextRows)));

                            // The edges: keys some rows of the chunk see and others do not.
                            AddEdges(phiQT, ref mapped, values, sums, denominators, weightsT, starts, ends, rows, starts[0], bulkStart);
                            AddEdges(phiQT, ref mapped, values, sums, denominators, weightsT, starts, ends, rows, bulkEnd, ends[rows - 1]);

                            for (int r = 0; r < rows; r++)
                            {
                                int t = first + r;
                                Span<float> target = buffers.Output.Slice(queryOffset + (t % GroupSize * queryLength + t / GroupSize) * HeadDim, HeadDim);
                                // A row that sees no key writes zeros; otherwise o = φ(q)ᵀS / (φ(q)·z + ε).
                                float inverse = starts[r] == ends[r] ? 0f : 1f / (denominators[r] + {{Literals.Float(AttentionRules.LinearEpsilon)}});
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

                    /// <summary>φ of keys [start, end), end − start ≤ Chunk, as rows of HeadDim.</summary>
                    public ReadOnlySpan<float> Get(int start, int end)
                    {
                        if (start != from)
                            (from, to) = (start, start);
                        if (end > to)
                        {
                            LinearFeatureMap.Apply(keys.Slice(to * HeadDim, (end - to) * HeadDim), phi.Slice((to - from) * HeadDim), TWidth.Path);
                            to = end;
                        }
                        return phi.Slice(0, (end - start) * HeadDim);
                    }
                }

                /// <summary>
                /// The queries of chunk rows [firstRow, firstRow + count), to prefetch: rows stack the group's heads query
                /// by query, so each head holds one run of positions.
                /// </summary>
                private static PrefetchRuns QueryRows(ReadOnlySpan<float> q, int queryOffset, int queryLength, int firstRow, int count)
                {
                    if (count == 0)
                        return default;
                    int firstPosition = firstRow / GroupSize, positions = (firstRow + count - 1) / GroupSize - firstPosition + 1;
                    return new(q.Slice(queryOffset + firstPosition * HeadDim), positions * HeadDim, queryLength * HeadDim, GroupSize);
                }

                private static Span<float> Take(ref Span<float> rest, int length)
                {
                    Span<float> taken = rest.Slice(0, length);
                    rest = rest.Slice(length);
                    return taken;
                }

                /// <summary>Adds (sign 1) or subtracts (sign −1) keys [from, to): S += sign · φ(K)ᵀV, z += sign · Σ φ(k).</summary>
                private static void UpdateState(ref MappedKeys mapped, ReadOnlySpan<float> values, Span<float> state,
                    Span<float> normalizer, int from, int to, float sign, PrefetchQueue fetch)
                {
                    if (from >= to)
                        fetch.FetchAll();
                    for (int k0 = from; k0 < to; k0 += Chunk)
                    {
                        int count = Math.Min(Chunk, to - k0);
                        ReadOnlySpan<float> keys = mapped.Get(k0, k0 + count);
                        SmallMatrix.MultiplyAdd<TWidth, TVector>(keys, 1, HeadDim, values.Slice(k0 * HeadDim), HeadDim,
                            state, HeadDim, HeadDim, HeadDim, count, sign, k0 == from ? fetch : default);
                        // z as a one-row product, 1ᵀ·φ(K): A's strides of 0 read the single 1 for every element, and z
                        // stays in registers across the keys instead of going through memory once per key.
                        SmallMatrix.MultiplyAdd<TWidth, TVector>(One, 0, 0, keys, HeadDim, normalizer, HeadDim, 1, HeadDim, count, sign);
                    }
                }

                /// <summary>
                /// Keys [from, to), in blocks of Chunk: weights φ(k)·φ(q) cut to the rows that see each key, their sums
                /// over keys added to the rows' denominators, and their weighted values to the rows' sums. Rows that
                /// see none of a band's keys are skipped (causal: above the diagonal), so a triangle costs little more
                /// than half a square.
                /// </summary>
                private static void AddEdges(ReadOnlySpan<float> phiQT, ref MappedKeys mapped, ReadOnlySpan<float> values,
                    Span<float> sums, Span<float> denominators, Span<float> weightsT, ReadOnlySpan<int> starts, ReadOnlySpan<int> ends,
                    int rows, int from, int to)
                {
                    for (int e0 = from; e0 < to; e0 += Chunk)
                    {
                        int count = Math.Min(Chunk, to - e0);
                        ReadOnlySpan<float> keys = mapped.Get(e0, e0 + count);
                        weightsT.Slice(0, count * Chunk).Clear();
                        // Visible ranges only move forward with the row, so the rows that see key j are [seenFrom, seenTo):
                        // from the first row whose range ends after j to the first whose range starts after it. For a
                        // band of keys, the rows that see any of them.
                        int seenFrom = 0, seenTo = 0;
                        for (int j0 = 0; j0 < count; j0 += Band)
                        {
                            int bandKeys = Math.Min(Band, count - j0);
                            while (seenFrom < rows && ends[seenFrom] <= e0 + j0)
                                seenFrom++;
                            while (seenTo < rows && starts[seenTo] < e0 + j0 + bandKeys)
                                seenTo++;
                            if (seenFrom >= seenTo)
                                continue;
                            int columnFrom = seenFrom / TWidth.Count * TWidth.Count;
                            int columnTo = (seenTo + TWidth.Count - 1) / TWidth.Count * TWidth.Count;
                            SmallMatrix.MultiplyAdd<TWidth, TVector>(keys.Slice(j0 * HeadDim), HeadDim, 1, phiQT.Slice(columnFrom), Chunk,
                                weightsT.Slice(j0 * Chunk + columnFrom), Chunk, bandKeys, columnTo - columnFrom, HeadDim);
                        }
                        // The mask: zero each key's weight for the rows that do not see it.
                        seenFrom = seenTo = 0;
                        for (int j = 0; j < count; j++)
                        {
                            while (seenFrom < rows && ends[seenFrom] <= e0 + j)
                                seenFrom++;
                            while (seenTo < rows && starts[seenTo] <= e0 + j)
                                seenTo++;
                            Span<float> weights = weightsT.Slice(j * Chunk, Chunk);
                            weights.Slice(0, seenFrom).Clear();
                            weights.Slice(Math.Max(seenFrom, seenTo)).Clear();
                        }
                        // Denominators: 1ᵀ·Wᵀ, the sum over this block's keys for every row at once.
                        SmallMatrix.MultiplyAdd<TWidth, TVector>(One, 0, 0, weightsT, Chunk, denominators, Chunk, 1, Chunk, count);
                        for (int r0 = 0; r0 < rows; r0 += Band)
                        {
                            int bandRows = Math.Min(Band, rows - r0);
                            int keyFrom = Math.Clamp(starts[r0] - e0, 0, count), keyTo = Math.Clamp(ends[r0 + bandRows - 1] - e0, keyFrom, count);
                            SmallMatrix.MultiplyAdd<TWidth, TVector>(weightsT.Slice(keyFrom * Chunk + r0), 1, Chunk,
                                values.Slice((e0 + keyFrom) * HeadDim), HeadDim, sums.Slice(r0 * HeadDim), HeadDim, bandRows, HeadDim, keyTo - keyFrom);
                        }
                    }
                }
            }
            """);
    }
}

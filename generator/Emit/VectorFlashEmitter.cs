using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using KernelGen.Generator.Model;

namespace KernelGen.Generator.Emit;

/// <summary>
/// Writes the vectorized flash kernel of one width (512 or 256 bits) and the run-time choice between the widths and
/// the scalar path. A call runs in two phases of independent pieces: first every key tile is packed transposed
/// (HeadDim rows of KeyPad keys) once, then every query tile of every (batch, key/value head) runs on its own. The
/// head dim and the register blocks are unrolled here, so the accumulators of each micro-kernel live in registers.
/// </summary>
internal static class VectorFlashEmitter
{
    public static void EmitDispatch(IndentedWriter writer, AttentionSpec spec)
    {
        bool wide = VectorShape.Fits(spec, 16);
        CpuPathSwitch.Emit(writer, spec,
            call512: "RunVectorized<PackKeys512, FlashTile512>(q, k, v, output, batch, queryLength, keyLength, keyLengths, logSumExp, TileKv512, KeyPad512)",
            call256: "RunVectorized<PackKeys256, FlashTile256>(q, k, v, output, batch, queryLength, keyLength, keyLengths, logSumExp, TileKv256, KeyPad256)",
            callScalar: "RunScalar(q, k, v, output, batch, queryLength, keyLength, keyLengths, logSumExp)");
        writer.BlankLine();
        writer.Write($$"""
            /// <summary>
            /// Phase 1 packs each key tile transposed into the workspace, once for all the query tiles that read it;
            /// phase 2 runs the query tiles. Pieces of a phase are independent, so any thread count gives the same bits.
            /// </summary>
            private static void RunVectorized<TPack, TFlash>(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v,
                Span<float> output, int batch, int queryLength, int keyLength, ReadOnlySpan<int> keyLengths, Span<float> logSumExp, int tileKv, int keyPad)
                where TPack : struct, IAttentionWork
                where TFlash : struct, IAttentionWork
            {
                int groups = batch * KvHeads;
                int keyTiles = (keyLength + tileKv - 1) / tileKv;
                int queryTiles = QueryTiles(queryLength);
                int workspaceLength = groups * keyTiles * HeadDim * keyPad;
                if (queryLength * GroupSize <= DirectKeyRows)
                {
                    // Few queries per key (decoding): packing would copy every key to read it once; read keys in place.
                    AttentionWorkers.Run<TFlash>(q, k, v, output, Span<float>.Empty, keyLengths, batch, queryLength, keyLength, groups * queryTiles, logSumExp);
                    return;
                }
                float[] workspace = ArrayPool<float>.Shared.Rent(workspaceLength + CacheLineAlignment.Slack);
                try
                {
                    // On a cache line's start, so that no vector of a packed tile straddles two lines.
                    Span<float> packedKeys = CacheLineAlignment.Align(workspace).Slice(0, workspaceLength);
                    AttentionWorkers.Run<TPack>(q, k, v, output, packedKeys, keyLengths, batch, queryLength, keyLength, groups * keyTiles);
                    AttentionWorkers.Run<TFlash>(q, k, v, output, packedKeys, keyLengths, batch, queryLength, keyLength, groups * queryTiles, logSumExp);
                }
                finally
                {
                    ArrayPool<float>.Shared.Return(workspace);
                }
            }

            /// <summary>
            /// Packs key tile <paramref name="item"/> (group-major, <paramref name="tileKv"/> keys) transposed: HeadDim rows of
            /// <paramref name="keyPad"/> keys, zero past the last key, so the score micro-kernel loads a vector of keys per dimension.
            /// </summary>
            [MethodImpl(MethodImplOptions.AggressiveOptimization)]
            private static void PackKeyTile(in AttentionBuffers buffers, int item, int tileKv, int keyPad)
            {
                int keyLength = buffers.KeyLength;
                int keyTiles = (keyLength + tileKv - 1) / tileKv;
                int group = item / keyTiles, j0 = item % keyTiles * tileKv;
                int columns = Math.Min(tileKv, keyLength - j0);
                ReadOnlySpan<float> keys = buffers.K.Slice((group * keyLength + j0) * HeadDim, columns * HeadDim);
                Span<float> packed = buffers.Workspace.Slice(item * HeadDim * keyPad, HeadDim * keyPad);
                if (columns < keyPad)
                    packed.Clear();
                SmallMatrix.Transpose(keys, HeadDim, columns, HeadDim, packed, keyPad);
            }

            /// <summary>
            /// Up to this many query rows per key/value head, scores are dot products with the keys where they lie; from
            /// there on, packed keys feed the register-blocked score kernel.
            /// </summary>
            private const int DirectKeyRows = 8;

            /// <summary>Query tiles per (batch, key/value head): the group's heads stacked query by query.</summary>
            private static int QueryTiles(int queryLength) => (queryLength * GroupSize + TileQ - 1) / TileQ;

            /// <summary>The query rows of piece <paramref name="item"/>, to prefetch; none past the last piece.</summary>
            private static PrefetchRuns TileQueries(in AttentionBuffers buffers, int item)
            {
                int queryLength = buffers.QueryLength, queryTiles = QueryTiles(queryLength);
                int group = item / queryTiles, first = item % queryTiles * TileQ, rowsPerGroup = queryLength * GroupSize;
                if (group >= buffers.Batch * KvHeads)
                    return default;
                return QueryRows(buffers.Q, group * rowsPerGroup * HeadDim, queryLength, first, Math.Min(TileQ, rowsPerGroup - first));
            }
            """);
        if (wide)
        {
            writer.BlankLine();
            EmitWidth(writer, spec, VectorShape.For512(spec));
        }
        writer.BlankLine();
        EmitWidth(writer, spec, VectorShape.For256(spec));
    }

    private static void EmitWidth(IndentedWriter writer, AttentionSpec spec, VectorShape shape)
    {
        string bits = shape.Name.Substring("Vector".Length);
        string v = shape.Name;
        writer.Write($$"""
            {{TileKvSummary(spec, shape)}}
            private const int TileKv{{bits}} = {{shape.TileKv}};
            /// <summary>Keys per packed tile on the {{bits}}-bit path: its tile rounded up to whole score blocks.</summary>
            private const int KeyPad{{bits}} = {{shape.KeyPad}};

            private readonly struct PackKeys{{bits}} : IAttentionWork
            {
                public static void Execute(in AttentionBuffers buffers, int item) => PackKeyTile(in buffers, item, TileKv{{bits}}, KeyPad{{bits}});
            }

            /// <summary>
            /// One query tile on {{bits}}-bit vectors: TileQ rows of (query, head) pairs of one (batch, key/value head),
            /// query-major so the {{spec.GroupSize}} head(s) of the group share every key tile. Scores come from a
            /// {{shape.ScoreRows}}×{{shape.ScoreVectors * shape.Width}} register block, the softmax is online in base 2, and the values go through a
            /// {{shape.ValueRows}}-row × {{shape.ChunkVectors * shape.Width}}-dimension register block per chunk of the head dim.
            /// </summary>
            private readonly struct FlashTile{{bits}} : IAttentionWork
            {
                private const int TileKv = TileKv{{bits}};
                private const int KeyPad = KeyPad{{bits}};
                private const int RowBlock = {{shape.RowBlock}};

                // This method and those it calls are compiled optimized at their first call (AggressiveOptimization), not
                // first as unoptimized code that the JIT replaces later: through the tiers the first calls ran at a
                // fifth of the speed (GQA 8/2, N = 4096, D = 128, 1 thread: first call 1171–1308 ms, against 169–171).
                [MethodImpl(MethodImplOptions.AggressiveOptimization)]
                public static void Execute(in AttentionBuffers buffers, int item)
                {
                    int queryLength = buffers.QueryLength, keyLength = buffers.KeyLength;
                    int rowsPerGroup = queryLength * GroupSize;
                    int queryTiles = QueryTiles(queryLength);
                    int group = item / queryTiles, first = item % queryTiles * TileQ;
                    int validKeys = buffers.ValidKeys(group / KvHeads);
                    int firstPosition = validKeys - queryLength;
                    int rows = Math.Min(TileQ, rowsPerGroup - first);
                    // Rows padded to whole register blocks of both kernels. Without packed keys (decoding's few rows) they
                    // are not padded: the value kernel takes the rows past its last whole block one at a time.
                    int rowBlock = buffers.Workspace.IsEmpty ? 1 : RowBlock;
                    int paddedRows = (rows + rowBlock - 1) / rowBlock * rowBlock;
                    int queryOffset = group * rowsPerGroup * HeadDim;

                    // Positions grow with the row, so the first row starts and the last row ends the keys the tile needs.
                    (int firstStart, int firstEnd) = VisibleKeys(firstPosition + first / GroupSize, validKeys);
                    (int lastStart, int lastEnd) = VisibleKeys(firstPosition + (first + rows - 1) / GroupSize, validKeys);

                    float[] rented = ArrayPool<float>.Shared.Rent(TileQ * (2 * HeadDim + KeyPad + 2 + {{shape.Width}}) + CacheLineAlignment.Slack);
                    try
                    {
                        // Rows of queries, accumulators and scores start on cache lines: no vector straddles two.
                        Span<float> scratch = CacheLineAlignment.Align(rented);
                        Span<float> queries = scratch.Slice(0, TileQ * HeadDim);
                        Span<float> accumulators = scratch.Slice(TileQ * HeadDim, TileQ * HeadDim);
                        Span<float> scores = scratch.Slice(2 * TileQ * HeadDim, TileQ * KeyPad);
                        Span<float> rowMax = scratch.Slice(TileQ * (2 * HeadDim + KeyPad), TileQ);
                        Span<float> rescale = scratch.Slice(TileQ * (2 * HeadDim + KeyPad + 1), TileQ);
                        // Each row's running sum l stays a vector of lane sums until the end: no horizontal sum per tile.
                        Span<float> rowSums = scratch.Slice(TileQ * (2 * HeadDim + KeyPad + 2), TileQ * {{shape.Width}});

                        // The tile's queries, pre-scaled by ScaleLog2E; padding rows are zero and never written out.
                        {{v}}<float> scale = {{v}}.Create(ScaleLog2E);
                        for (int r = 0; r < paddedRows; r++)
                        {
                            Span<float> row = queries.Slice(r * HeadDim, HeadDim);
                            if (r >= rows)
                            {
                                row.Clear();
                                continue;
                            }
                            int t = first + r;
                            ReadOnlySpan<float> source = buffers.Q.Slice(queryOffset + (t % GroupSize * queryLength + t / GroupSize) * HeadDim, HeadDim);
                            for (int d = 0; d < HeadDim; d += {{shape.Width}})
                                ({{v}}.Create(source.Slice(d, {{shape.Width}})) * scale).CopyTo(row.Slice(d, {{shape.Width}}));
                        }
                        accumulators.Slice(0, paddedRows * HeadDim).Clear();
                        rowMax.Fill(float.NegativeInfinity);
                        rowSums.Clear();
                        rescale.Clear();

                        ReadOnlySpan<float> values = buffers.V.Slice(group * keyLength * HeadDim, keyLength * HeadDim);
                        int keyTiles = (keyLength + TileKv - 1) / TileKv;
                        int firstTile = firstStart - firstStart % TileKv;
                        // The queries of the piece this thread most likely runs next (pieces are handed out in order, so
                        // with T threads about T on), a part before each key tile: loading a tile's queries had missed
                        // all at once at its start (causal D = 128, N = 1024, 1 thread, alternating runs: 205.5–207.2 →
                        // 207.3–212.8 GFLOP/s).
                        var nextQueries = TileQueries(in buffers, item + Math.Max(1, AttentionParallelism.MaxDegreeOfParallelism));
                        nextQueries.Split((lastEnd - firstTile + TileKv - 1) / TileKv);
                        for (int j0 = firstTile; j0 < lastEnd; j0 += TileKv)
                        {
                            nextQueries.FetchPart();
                            int columns = Math.Min(TileKv, lastEnd - j0);
                            {{Indentation.Continue(TileScoresAndSoftmax(shape), 4)}}
                            AccumulateValues(scores, values, accumulators, rescale, paddedRows, j0, columns, rows, first, firstPosition, validKeys);
                        }

                        // Deferred normalization; a row that saw no key has l = 0 and writes zeros (and LSE = −∞).
                        Span<float> logSumExp = buffers.LogSumExp;
                        for (int r = 0; r < rows; r++)
                        {
                            int t = first + r;
                            int outputRow = group * rowsPerGroup + t % GroupSize * queryLength + t / GroupSize;
                            float rowSum = {{v}}.Sum({{v}}.LoadUnsafe(ref MemoryMarshal.GetReference(rowSums), (nuint)(r * {{shape.Width}})));
                            if (!logSumExp.IsEmpty)
                                logSumExp[outputRow] = LogSumExp.FromBase2(rowMax[r], rowSum);
                            Span<float> target = buffers.Output.Slice(outputRow * HeadDim, HeadDim);
                            {{v}}<float> inverse = {{v}}.Create(rowSum > 0f ? 1f / rowSum : 0f);
                            for (int d = 0; d < HeadDim; d += {{shape.Width}})
                                ({{v}}.LoadUnsafe(ref MemoryMarshal.GetReference(accumulators), (nuint)(r * HeadDim + d)) * inverse).CopyTo(target.Slice(d, {{shape.Width}}));
                        }
                    }
                    finally
                    {
                        ArrayPool<float>.Shared.Return(rented);
                    }
                }

                {{Indentation.Continue(ScoresMethod(spec, shape), 1)}}

                /// <summary>
                /// scores = queries · keysᵀ for a few rows and the first <paramref name="columns"/> of
                /// <paramref name="keyRows"/>, reading the keys where they lie: each key's {{spec.HeadDim / shape.Width}} vector(s)
                /// stay in registers while every row takes its dot product with them.
                /// </summary>
                /// <remarks>
                /// Decoding streams the whole cache once, so a large one (<paramref name="prefetch"/>) is bound by memory.
                /// Then each key row is prefetched {{DirectLeadRows(spec)}} rows (8 KB) ahead, from <paramref name="keyRows"/>, which runs on past
                /// this tile, and the tile's value rows as their keys are read. So both streams are in flight together, instead
                /// of each waiting its turn for the hardware prefetchers. Measured at 1 query × 4096 keys, D = 128, H = 8, over
                /// eight alternating runs: 12.9 → 19.9 GFLOP/s; 4 KB ahead gave 15.6.
                /// </remarks>
                [MethodImpl(MethodImplOptions.AggressiveOptimization)]
                private static void DirectScores(ReadOnlySpan<float> queries, ReadOnlySpan<float> keyRows, ReadOnlySpan<float> valueRows,
                    bool prefetch, Span<float> scores, int rows, int columns)
                {
                    ref float q = ref MemoryMarshal.GetReference(queries);
                    ref float keys = ref MemoryMarshal.GetReference(keyRows);
                    for (int j = 0; j < columns; j++)
                    {
                        if (prefetch)
                        {
                            if ((j + {{DirectLeadRows(spec)}}) * HeadDim < keyRows.Length)
                                CachePrefetch.Lines(keyRows.Slice((j + {{DirectLeadRows(spec)}}) * HeadDim, HeadDim));
                            CachePrefetch.Lines(valueRows.Slice(j * HeadDim, HeadDim));
                        }
                        {{Indentation.Continue(DirectScoreBlock(spec, shape), 3)}}
                    }
                }

                /// <summary>
                /// Sets to −∞ the scores of keys a row does not see: before its window, after its position, and the
                /// padding past the tile's <paramref name="columns"/> keys.
                /// </summary>
                [MethodImpl(MethodImplOptions.AggressiveOptimization)]
                private static void Mask(Span<float> scores, int rows, int first, int j0, int columns, int firstPosition, int validKeys)
                {
                    for (int r = 0; r < rows; r++)
                    {
                        (int start, int end) = VisibleKeys(firstPosition + (first + r) / GroupSize, validKeys);
                        int from = Math.Clamp(start - j0, 0, columns), to = Math.Clamp(end - j0, from, columns);
                        Span<float> row = scores.Slice(r * KeyPad, KeyPad);
                        row.Slice(0, from).Fill(float.NegativeInfinity);
                        row.Slice(to).Fill(float.NegativeInfinity);
                    }
                }

                /// <summary>Online softmax over one key tile (a masked tile, or decoding's scores), row by row.</summary>
                [MethodImpl(MethodImplOptions.AggressiveOptimization)]
                private static void Softmax(Span<float> scores, int rows, Span<float> rowMax, Span<float> rowSums, Span<float> rescale)
                {
                    for (int r = 0; r < rows; r++)
                        RowSoftmax(scores, r, rowMax, rowSums, rescale);
                }

                /// <summary>
                /// Online softmax over row r of one key tile: the new row maximum m, rescale = exp2(m_old − m), scores replaced
                /// by p = exp2(s − m) and l = l·rescale + p, lane by lane (summed across lanes once, at the end). A row that
                /// has seen no key yet keeps p = 0.
                /// </summary>
                [MethodImpl(MethodImplOptions.AggressiveInlining)]
                private static void RowSoftmax(Span<float> scores, int r, Span<float> rowMax, Span<float> rowSums, Span<float> rescale)
                {
                    ref float row = ref Unsafe.Add(ref MemoryMarshal.GetReference(scores), r * KeyPad);
                    {{Indentation.Continue(RowSoftmaxBody(shape), 2)}}
                    ref float rowSum = ref Unsafe.Add(ref MemoryMarshal.GetReference(rowSums), r * {{shape.Width}});
                    {{v}}.FusedMultiplyAdd({{v}}.LoadUnsafe(ref rowSum), {{v}}.Create(rescale[r]), sum).StoreUnsafe(ref rowSum);
                    rowMax[r] = newMax;
                }

                /// <summary>
                /// accumulators = accumulators · rescale + p · V over the tile's keys, in {{shape.ValueRows}}-row register blocks, one
                /// chunk of ≤ {{shape.ChunkVectors * shape.Width}} dimensions at a time: per key, the chunk's value vectors and {{shape.ValueRows}} broadcasts of p.
                /// Each block visits only the keys some row of it sees: the others weigh exactly 0, and skipping them spares
                /// the masked half of a diagonal tile (and a window's edges).
                /// </summary>
                [MethodImpl(MethodImplOptions.AggressiveOptimization)]
                private static void AccumulateValues(ReadOnlySpan<float> scores, ReadOnlySpan<float> valueRows, Span<float> accumulators,
                    ReadOnlySpan<float> rescale, int paddedRows, int j0, int columns, int rows, int first, int firstPosition, int validKeys)
                {
                    ref float p = ref MemoryMarshal.GetReference(scores);
                    ref float values = ref MemoryMarshal.GetReference(valueRows);
                    ref float o = ref MemoryMarshal.GetReference(accumulators);
                    int r0 = 0;
                    for (; r0 + {{shape.ValueRows}} <= paddedRows; r0 += {{shape.ValueRows}})
                    {
                        (int from, int to) = KeysOfRows(r0, Math.Min(r0 + {{shape.ValueRows - 1}}, rows - 1), j0, columns, first, firstPosition, validKeys);
                        {{Indentation.Continue(ValueBlocks(spec, shape), 3)}}
                    }{{(shape.ValueRows > 1 ? Indentation.Continue(SingleValueRows(spec, shape), 3) : "")}}
                }

                /// <summary>
                /// The keys of the tile (from j0, <paramref name="columns"/> of them) that rows r0 … lastRow see, as
                /// [From, To): positions grow with the row, so the first row starts them and the last ends them.
                /// </summary>
                private static (int From, int To) KeysOfRows(int r0, int lastRow, int j0, int columns, int first, int firstPosition, int validKeys)
                {
                    int from = Math.Clamp(VisibleKeys(firstPosition + (first + r0) / GroupSize, validKeys).Start - j0, 0, columns);
                    return (from, Math.Clamp(VisibleKeys(firstPosition + (first + lastRow) / GroupSize, validKeys).End - j0, from, columns));
                }
            }
            """);
    }

    /// <summary>The per-width tile's summary: where it differs from the class's TileKv, why.</summary>
    private static string TileKvSummary(AttentionSpec spec, VectorShape shape) => shape.TileKv == spec.TileKv
        ? $"/// <summary>Keys per tile on the {shape.Width * 32}-bit path: TileKv.</summary>"
        : $"""
            /// <summary>
            /// Keys per tile on the {shape.Width * 32}-bit path, TileKv being left at 0: a row of {shape.TileKv} keys is one score block,
            /// so the score kernel runs the softmax among its FMAs.
            /// </summary>
            """;

    /// <summary>The value kernel's tail: rows past the last whole block, one at a time (only decoding's unpadded rows).</summary>
    private static string SingleValueRows(AttentionSpec spec, VectorShape shape)
        => $$"""

            for (; r0 < paddedRows; r0++)
            {
                (int from, int to) = KeysOfRows(r0, r0, j0, columns, first, firstPosition, validKeys);
                {{Indentation.Continue(ValueBlocks(spec, shape with { ValueRows = 1 }), 1)}}
            }
            """;

    /// <summary>
    /// One row of the tile, unrolled over its KeyPad / Width vectors: the maximum and the sum as trees, so no vector
    /// waits on the one before it. A row of up to 8 vectors is held in registers. A longer one (128 keys on the 256-bit
    /// path) is read where it lies (L1) by each pass, and its sum's tree is added up as the leaves come, so few vectors
    /// are live at once: held whole, its 16 vectors spilled to the stack where the CPU has 16 registers.
    /// </summary>
    private static string RowSoftmaxBody(VectorShape shape)
    {
        string v = shape.Name;
        int[] vectors = Enumerable.Range(0, shape.KeyPad / shape.Width).ToArray();
        bool held = vectors.Length <= 8;
        string Load(int c) => $"{v}.LoadUnsafe(ref row, {c * shape.Width})";
        string Leaf(int c) => held ? $"s{c}" : Load(c);
        var text = new StringBuilder();
        if (held)
            text.AppendLine($"{v}<float> " + string.Join(", ", vectors.Select(c => $"s{c} = {Load(c)}")) + ";");
        text.AppendLine("// MaxNative is one vmaxps; Max's IEEE rules for NaN and signed zeros cost two fixups more. vmaxps may pass");
        text.AppendLine("// over a NaN score, but the NaN still reaches the row through its own weight, exp2(NaN − m).");
        text.AppendLine($"float newMax = Math.Max(rowMax[r], VectorReduce.Max({Tree(vectors.Select(Leaf).ToArray(), (a, b) => $"{v}.MaxNative({a}, {b})")}));");
        text.AppendLine("if (newMax == float.NegativeInfinity)");
        text.AppendLine("{");
        if (held)
            text.AppendLine($"    if ({string.Join(" && ", vectors.Select(c => $"{v}.EqualsAll(s{c}, s{c})"))})");
        else
        {
            text.AppendLine("    bool anyNaN = false;");
            text.AppendLine($"    for (int c = 0; c < KeyPad; c += {shape.Width})");
            text.AppendLine("    {");
            text.AppendLine($"        {v}<float> x = {v}.LoadUnsafe(ref row, (nuint)c);");
            text.AppendLine($"        anyNaN |= !{v}.EqualsAll(x, x);");
            text.AppendLine("    }");
            text.AppendLine("    if (!anyNaN)");
        }
        text.AppendLine("""
                {
                    // Every key so far masked: they weigh 0.
                    scores.Slice(r * KeyPad, KeyPad).Clear();
                    rescale[r] = 1f;
                    return;
                }
                // The maximum passed over a NaN score: the row is NaN (weights, sum and LSE), as its inputs are.
                newMax = float.NaN;
            }
            // exp2(0) = 1 exactly: once a row's maximum settles, most tiles skip the call. The vector exp2, in one
            // lane, spares the call to powf that float.Exp2 makes.
            """);
        text.AppendLine($"rescale[r] = newMax == rowMax[r] ? 1f : VectorExp2.Exp2({v}.Create(rowMax[r] - newMax)).ToScalar();");
        text.AppendLine($"{v}<float> m = {v}.Create(newMax);");
        if (held)
        {
            foreach (int c in vectors)
                text.AppendLine($"s{c} = VectorExp2.Exp2(s{c} - m); s{c}.StoreUnsafe(ref row, {c * shape.Width});");
            text.Append($"{v}<float> sum = {Tree(vectors.Select(c => $"s{c}").ToArray(), (a, b) => $"{Grouped(a)} + {Grouped(b)}")};");
            return text.ToString();
        }
        // The same tree as Tree's, built as the leaves come: equal-sized neighbours are added as soon as both exist,
        // what is left is added from the right at the end.
        var pending = new List<(string Name, int First, int Count)>();
        void Combine(bool last)
        {
            var (a, b) = (pending[pending.Count - 2], pending[pending.Count - 1]);
            pending.RemoveRange(pending.Count - 2, 2);
            string name = last ? "sum" : $"s{a.First}to{b.First + b.Count - 1}";
            text.AppendLine($"{v}<float> {name} = {a.Name} + {b.Name};");
            pending.Add((name, a.First, a.Count + b.Count));
        }
        foreach (int c in vectors)
        {
            text.AppendLine($"{v}<float> s{c} = VectorExp2.Exp2({Load(c)} - m); s{c}.StoreUnsafe(ref row, {c * shape.Width});");
            pending.Add(($"s{c}", c, 1));
            while (pending.Count > 1 && pending[pending.Count - 1].Count == pending[pending.Count - 2].Count)
                Combine(pending[pending.Count - 2].Count * 2 == vectors.Length);
        }
        while (pending.Count > 1)
            Combine(pending.Count == 2);
        return text.ToString().TrimEnd();
    }

    /// <summary>Key rows that <c>DirectScores</c> prefetches ahead: 8 KB of them.</summary>
    private static int DirectLeadRows(AttentionSpec spec) => System.Math.Max(1, 8192 / (spec.HeadDim * sizeof(float)));

    private static string Grouped(string sum) => sum.Contains(" ") ? $"({sum})" : sum;

    /// <summary>Terms combined pairwise, so the expression is log₂(n) operations deep instead of n.</summary>
    private static string Tree(string[] terms, Func<string, string, string> combine)
    {
        while (terms.Length > 1)
            terms = Enumerable.Range(0, (terms.Length + 1) / 2)
                .Select(i => 2 * i + 1 < terms.Length ? combine(terms[2 * i], terms[2 * i + 1]) : terms[2 * i])
                .ToArray();
        return terms[0];
    }

    /// <summary>
    /// One key tile's scores and softmax in the query tile's loop. With the softmax among the score kernel's products,
    /// only a tile that cuts some row (or decoding's scores) takes the pass of its own, after the mask.
    /// </summary>
    private static string TileScoresAndSoftmax(VectorShape shape)
    {
        const string direct = """
            if (buffers.Workspace.IsEmpty)
                DirectScores(queries, buffers.K.Slice((group * keyLength + j0) * HeadDim, (lastEnd - j0) * HeadDim), values.Slice(j0 * HeadDim, columns * HeadDim),
                    (long)buffers.K.Length + buffers.V.Length > CachePrefetch.StreamedCacheFloats, scores, rows, columns);
            else
            """;
        const string packedKeys = "buffers.Workspace.Slice((group * keyTiles + j0 / TileKv) * HeadDim * KeyPad, HeadDim * KeyPad)";
        if (!shape.SoftmaxAmongProducts)
            return $$"""
                // Inside the mask for every row: no masking. A tile that cuts some row takes each row block's visible
                // scores, then each row cut to its keys.
                bool masked = KeyPad != TileKv || j0 < lastStart || j0 + TileKv > firstEnd;
                {{direct}}
                    Scores(queries, {{packedKeys}}, scores, paddedRows, masked, j0, columns, rows, first, firstPosition, validKeys);
                if (masked)
                    Mask(scores, rows, first, j0, columns, firstPosition, validKeys);
                Softmax(scores, rows, rowMax, rowSums, rescale);
                """;
        return $$"""
            // Inside the mask for every row, the score kernel runs the softmax among its FMAs. A tile
            // that cuts some row takes three steps: its rows' visible scores, the mask, then the softmax as a pass.
            bool masked = KeyPad != TileKv || j0 < lastStart || j0 + TileKv > firstEnd;
            {{direct}} if (masked)
                EdgeScores(queries, {{packedKeys}}, scores, paddedRows, j0, columns, rows, first, firstPosition, validKeys);
            else
                Scores(queries, {{packedKeys}}, scores, paddedRows, rowMax, rowSums, rescale);
            if (buffers.Workspace.IsEmpty || masked)
            {
                Mask(scores, rows, first, j0, columns, firstPosition, validKeys);
                Softmax(scores, rows, rowMax, rowSums, rescale);
            }
            """;
    }

    /// <summary>The register-blocked score kernel over a packed key tile, with the softmax among its FMAs where the width allows.</summary>
    private static string ScoresMethod(AttentionSpec spec, VectorShape shape)
    {
        int blockKeys = shape.ScoreVectors * shape.Width;
        string summary = $$"""
            /// <summary>
            /// scores = queries · keysᵀ for <paramref name="paddedRows"/> rows and KeyPad keys, in {{shape.ScoreRows}}-row × {{shape.ScoreVectors}}-vector
            /// register blocks: per dimension, {{shape.ScoreVectors}} key vector load(s) and {{shape.ScoreRows}} broadcasts feed {{shape.ScoreRows * shape.ScoreVectors}} FMAs.
            """;
        const string refs = """
                ref float q = ref MemoryMarshal.GetReference(queries);
                ref float keys = ref MemoryMarshal.GetReference(keyTile);
                ref float s = ref MemoryMarshal.GetReference(scores);
            """;
        if (!shape.SoftmaxAmongProducts)
            return $$"""
                {{summary}}
                /// On a tile that cuts some row (<paramref name="masked"/>), each row block takes only the blocks of keys some
                /// row of it sees; the others keep what they held, and the mask sets them to −∞, as no row of the block sees
                /// their keys. (Padding rows are not masked; their outputs are never written.) Without AVX-512, causal
                /// D = 64, N = 1024 (128-key tiles), 1 thread, alternating runs: 87.8–90.0 → 91.1–94.6 GFLOP/s; D = 128
                /// 89.4–92.5 → 91.5–93.8.
                /// </summary>
                [MethodImpl(MethodImplOptions.AggressiveOptimization)]
                private static void Scores(ReadOnlySpan<float> queries, ReadOnlySpan<float> keyTile, Span<float> scores, int paddedRows,
                    bool masked, int j0, int columns, int rows, int first, int firstPosition, int validKeys)
                {
                {{refs}}
                    for (int r0 = 0; r0 < paddedRows; r0 += {{shape.ScoreRows}})
                    {
                        (int from, int to) = masked ? KeysOfRows(r0, Math.Min(r0 + {{shape.ScoreRows - 1}}, rows - 1), j0, columns, first, firstPosition, validKeys) : (0, KeyPad);
                        for (int c0 = from / {{blockKeys}} * {{blockKeys}}; c0 < to; c0 += {{blockKeys}})
                        {
                            {{Indentation.Continue(ScoreBlock(shape, softmaxParts: false), 3)}}
                        }
                    }
                }
                """;
        return $$"""
            {{summary}}
            /// The rows of each row block take their softmax while the next row block's products run, one row at a time
            /// between runs of {{spec.HeadDim / shape.ScoreRows}} dimensions: the exponentials are chains of dependent steps, and among the FMAs
            /// the out-of-order core hides them; in a pass of their own they stall it.
            /// </summary>
            [MethodImpl(MethodImplOptions.AggressiveOptimization)]
            private static void Scores(ReadOnlySpan<float> queries, ReadOnlySpan<float> keyTile, Span<float> scores, int paddedRows,
                Span<float> rowMax, Span<float> rowSums, Span<float> rescale)
            {
            {{refs}}
                // The row block whose rows wait for their softmax, run among the next row block's FMAs; none at first.
                int pendingRows = -1;
                for (int r0 = 0; r0 < paddedRows; r0 += {{shape.ScoreRows}})
                {
                    const int c0 = 0; // a row of the tile is one block
                    {{Indentation.Continue(ScoreBlock(shape, softmaxParts: true), 2)}}
                    pendingRows = r0;
                }
                for (int r = pendingRows; r >= 0 && r < pendingRows + {{shape.ScoreRows}}; r++)
                    RowSoftmax(scores, r, rowMax, rowSums, rescale);
            }

            /// <summary>
            /// The scores of a tile that cuts some row (the diagonal, a window's edge, the last keys): each row block
            /// takes only the key vectors some row of it sees, from the one that holds its first row's first key to the
            /// one that holds its last row's last, in a block of that many vectors. The vectors it skips keep what they
            /// held, and the mask sets them to −∞: no row of the block sees their keys. (Padding rows are not masked; their
            /// outputs are never written.) With one query per row, the blocks of a causal diagonal tile take from 1 up to
            /// {{shape.ScoreVectors}} vectors as they go down it, not {{shape.ScoreVectors}} each (causal D = 128, N = 1024, 1 thread,
            /// alternating runs against computing these tiles whole: 188.0–213.4 → 207.2–217.3 GFLOP/s).
            /// </summary>
            [MethodImpl(MethodImplOptions.AggressiveOptimization)]
            private static void EdgeScores(ReadOnlySpan<float> queries, ReadOnlySpan<float> keyTile, Span<float> scores, int paddedRows,
                int j0, int columns, int rows, int first, int firstPosition, int validKeys)
            {
            {{refs}}
                for (int r0 = 0; r0 < paddedRows; r0 += {{shape.ScoreRows}})
                {
                    (int from, int to) = KeysOfRows(r0, Math.Min(r0 + {{shape.ScoreRows - 1}}, rows - 1), j0, columns, first, firstPosition, validKeys);
                    int c0 = from / {{shape.Width}} * {{shape.Width}};
                    switch ((to - c0 + {{shape.Width - 1}}) / {{shape.Width}})
                    {
                        {{Indentation.Continue(EdgeScoreCases(shape), 3)}}
                    }
                }
            }
            """;
    }

    /// <summary>One case per count of key vectors a row block of an edge tile sees: a block of that width (none for 0).</summary>
    private static string EdgeScoreCases(VectorShape shape)
    {
        var text = new StringBuilder();
        for (int vectors = 1; vectors <= shape.ScoreVectors; vectors++)
        {
            text.AppendLine($"case {vectors}:");
            text.AppendLine("{");
            text.AppendLine("    " + Indentation.Continue(ScoreBlock(shape with { ScoreVectors = vectors }, softmaxParts: false), 1));
            text.AppendLine("    break;");
            text.AppendLine("}");
        }
        return text.ToString().TrimEnd();
    }

    /// <summary>
    /// The unrolled score register block: ScoreRows × ScoreVectors accumulators over the head dim. The key row and the
    /// query column advance as refs, so every load inside the loop is a register plus a constant displacement.
    /// </summary>
    private static string ScoreBlock(VectorShape shape, bool softmaxParts)
    {
        string v = shape.Name;
        var rows = Enumerable.Range(0, shape.ScoreRows).ToArray();
        var vectors = Enumerable.Range(0, shape.ScoreVectors).ToArray();
        var text = new StringBuilder();
        text.AppendLine($"{v}<float> " + string.Join(", ", rows.SelectMany(r => vectors.Select(c => $"s{r}{c} = default"))) + ";");
        text.AppendLine("ref float keyRow = ref Unsafe.Add(ref keys, c0); // dimension d of keys c0 …");
        text.AppendLine("ref float queryColumn = ref Unsafe.Add(ref q, r0 * HeadDim); // dimension d of row r0; row r0 + i is i·HeadDim on");
        // Where the softmax runs among the FMAs, the head dim goes in ScoreRows parts, one waiting row after each. HeadDim
        // is a multiple of 8 and ScoreRows a power of two up to 8, so the parts split it evenly.
        string pad = softmaxParts ? "    " : "";
        if (softmaxParts)
        {
            text.AppendLine($"for (int part = 0; part < {shape.ScoreRows}; part++)");
            text.AppendLine("{");
        }
        text.AppendLine($"{pad}for (int d = 0; d < {(softmaxParts && shape.ScoreRows > 1 ? $"HeadDim / {shape.ScoreRows}" : "HeadDim")}; d++)");
        text.AppendLine($"{pad}{{");
        foreach (int c in vectors)
            text.AppendLine($"{pad}    {v}<float> k{c} = {v}.LoadUnsafe(ref keyRow{(c == 0 ? "" : $", {c * shape.Width}")});");
        foreach (int r in rows)
        {
            text.AppendLine($"{pad}    {v}<float> q{r} = {v}.Create({(r == 0 ? "queryColumn" : $"Unsafe.Add(ref queryColumn, {r} * HeadDim)")});");
            foreach (int c in vectors)
                text.AppendLine($"{pad}    s{r}{c} = {v}.FusedMultiplyAdd(q{r}, k{c}, s{r}{c});");
        }
        text.AppendLine($"{pad}    keyRow = ref Unsafe.Add(ref keyRow, KeyPad);");
        text.AppendLine($"{pad}    queryColumn = ref Unsafe.Add(ref queryColumn, 1);");
        text.AppendLine($"{pad}}}");
        if (softmaxParts)
        {
            text.AppendLine("    if (pendingRows >= 0)");
            text.AppendLine("        RowSoftmax(scores, pendingRows + part, rowMax, rowSums, rescale);");
            text.AppendLine("}");
        }
        foreach (int r in rows)
            foreach (int c in vectors)
                text.AppendLine($"s{r}{c}.StoreUnsafe(ref s, (nuint)((r0 + {r}) * KeyPad + c0 + {c * shape.Width}));");
        return text.ToString().TrimEnd();
    }

    /// <summary>One key's vectors loaded once, then a dot product per query row, reduced across lanes.</summary>
    private static string DirectScoreBlock(AttentionSpec spec, VectorShape shape)
    {
        string v = shape.Name;
        var vectors = Enumerable.Range(0, spec.HeadDim / shape.Width).ToArray();
        var text = new StringBuilder();
        foreach (int c in vectors)
            text.AppendLine($"{v}<float> k{c} = {v}.LoadUnsafe(ref keys, (nuint)(j * HeadDim + {c * shape.Width}));");
        text.AppendLine("for (int r = 0; r < rows; r++)");
        text.AppendLine("{");
        text.AppendLine("    ref float row = ref Unsafe.Add(ref q, r * HeadDim);");
        text.AppendLine($"    {v}<float> dot = {v}.LoadUnsafe(ref row) * k0;");
        foreach (int c in vectors.Skip(1))
            text.AppendLine($"    dot = {v}.FusedMultiplyAdd({v}.LoadUnsafe(ref row, {c * shape.Width}), k{c}, dot);");
        text.AppendLine($"    scores[r * KeyPad + j] = {v}.Sum(dot);");
        text.AppendLine("}");
        return text.ToString().TrimEnd();
    }

    /// <summary>
    /// The unrolled value register blocks, one per chunk of the head dim. The value row and the weight column advance
    /// as refs, so every load inside the key loop is a register plus a constant displacement.
    /// </summary>
    private static string ValueBlocks(AttentionSpec spec, VectorShape shape)
    {
        string v = shape.Name;
        var rows = Enumerable.Range(0, shape.ValueRows).ToArray();
        var text = new StringBuilder();
        int vectorsPerRow = spec.HeadDim / shape.Width;
        for (int chunk = 0; chunk * shape.ChunkVectors < vectorsPerRow; chunk++)
        {
            int d0 = chunk * shape.ChunkVectors * shape.Width;
            var vectors = Enumerable.Range(0, System.Math.Min(shape.ChunkVectors, vectorsPerRow - chunk * shape.ChunkVectors)).ToArray();
            string Offset(int r, int c) => $"(nuint)((r0 + {r}) * HeadDim + {d0 + c * shape.Width})";
            text.AppendLine($"// Dimensions {d0} … {d0 + vectors.Length * shape.Width - 1}.");
            text.AppendLine("{");
            foreach (int r in rows)
            {
                text.AppendLine($"    {v}<float> rescale{r} = {v}.Create(rescale[r0 + {r}]);");
                foreach (int c in vectors)
                    text.AppendLine($"    {v}<float> o{r}{c} = {v}.LoadUnsafe(ref o, {Offset(r, c)}) * rescale{r};");
            }
            text.AppendLine($"    ref float valueRow = ref Unsafe.Add(ref values, (j0 + from) * HeadDim{(d0 == 0 ? "" : $" + {d0}")}); // key j0 + j, from dimension {d0}");
            text.AppendLine("    ref float weightColumn = ref Unsafe.Add(ref p, r0 * KeyPad + from); // key j0 + j's weight in row r0; row r0 + i is i·KeyPad on");
            text.AppendLine("    for (int j = from; j < to; j++)");
            text.AppendLine("    {");
            foreach (int c in vectors)
                text.AppendLine($"        {v}<float> v{c} = {v}.LoadUnsafe(ref valueRow{(c == 0 ? "" : $", {c * shape.Width}")});");
            foreach (int r in rows)
            {
                text.AppendLine($"        {v}<float> p{r} = {v}.Create({(r == 0 ? "weightColumn" : $"Unsafe.Add(ref weightColumn, {r} * KeyPad)")});");
                foreach (int c in vectors)
                    text.AppendLine($"        o{r}{c} = {v}.FusedMultiplyAdd(p{r}, v{c}, o{r}{c});");
            }
            text.AppendLine("        valueRow = ref Unsafe.Add(ref valueRow, HeadDim);");
            text.AppendLine("        weightColumn = ref Unsafe.Add(ref weightColumn, 1);");
            text.AppendLine("    }");
            foreach (int r in rows)
                foreach (int c in vectors)
                    text.AppendLine($"    o{r}{c}.StoreUnsafe(ref o, {Offset(r, c)});");
            text.AppendLine("}");
        }
        return text.ToString().TrimEnd();
    }
}

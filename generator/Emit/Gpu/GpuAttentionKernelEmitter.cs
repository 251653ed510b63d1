using KernelGen.Generator.Model;

namespace KernelGen.Generator.Emit.Gpu;

/// <summary>
/// Writes the ILGPU kernel: one group per <see cref="GpuLayout.Tile"/> query rows of one (batch, head); the rows'
/// q staged once and each key/value tile staged in turn in shared memory with compile-time sizes; scores and output
/// computed in register blocks (<see cref="GpuLayout"/>); the softmax state of each row kept by one thread; tiles
/// outside every row's keys never visited.
/// </summary>
internal static class GpuAttentionKernelEmitter
{
    public static void Emit(IndentedWriter writer, AttentionSpec spec, GpuLayout layout)
    {
        int rows = layout.RowsPerThread;
        string weightVector = GpuVectors.Type(rows);
        string chunkVector = GpuVectors.Type(layout.DimChunk);
        writer.Write($$"""
            /// <summary>
            /// The kernel (public so it can be compiled ahead, e.g. to PTX, and inspected). The 64 threads form an 8 × 8
            /// grid (rowBlock, columnBlock). Per key tile: stage k; each thread computes the scores of rows rowBlock + 8·i
            /// with keys columnBlock + 8·j and stores them in the weights tile; thread r turns row r's scores into weights
            /// (its running state lives in its registers) while all stage v over k; each thread adds weights × v into its
            /// output block, rows rowBlock + 8·i by its columns of dims. Four barriers per tile, no warp shuffles (each
            /// would cost a barrier on the CPU accelerator). Chunked linear attention visits only the keys of each row's
            /// own chunk (TileKeys) and adds the rest from its prefix state at the end. Every read and write is guarded:
            /// rows below queryLength, keys inside the row's visible range, which lies inside the sequence's valid keys;
            /// the entry points check the views' lengths and the key lengths.
            /// </summary>
            public static void AttentionKernel(ArrayView<float> q, ArrayView<float> k, ArrayView<float> v, ArrayView<float> output,
                ArrayView<float> logSumExp, ArrayView<float> {{GpuLinearStates.SixthView(spec)}}, ArrayView<float> partialStats, ArrayView<int> keyLengths,
                AttentionGpuParameters sizes)
            {
                int thread = Group.IdxX;
                int rowBlock = thread / 8, columnBlock = thread % 8;
                int split = Grid.IdxX % sizes.KeySplits;
                int queryTile = Grid.IdxX / sizes.KeySplits;
                // Groups start roughly in launch order: every head's last query tile first, then the ones before, so that
                // under a causal mask the tiles with the most keys start early and the short ones fill in at the end.
                int batchHeads = sizes.Batch * Heads;
                int batchHead = queryTile % batchHeads;
                int firstRow = (sizes.QueryTiles - 1 - queryTile / batchHeads) * RowsPerGroup;
                int rowCount = Math.Min(RowsPerGroup, sizes.QueryLength - firstRow);
                // Query head h reads key/value head h / GroupSize: K and V are never repeated.
                long kvAt = ((long)(batchHead / Heads) * KvHeads + batchHead % Heads / GroupSize) * sizes.KeyLength * HeadDim;

                // The sequence's valid keys: all keyLength of them, or, in a padded batch, its keyLengths entry. Queries
                // are the last queryLength of those positions. The group's first row starts, and its last row ends, the
                // keys any of its rows sees: the tiles outside that range are skipped.
                int validKeys = keyLengths.Length > 0 ? keyLengths[batchHead / Heads] : sizes.KeyLength;
                int firstPosition = validKeys - sizes.QueryLength;
                int tilesStart = TileKeys(firstPosition + firstRow, validKeys).Start;
                int tilesEnd = TileKeys(firstPosition + firstRow + rowCount - 1, validKeys).End;
                // Split-KV (decoding): this group takes its share of those keys, whole tiles; the shares are merged after.
                int keysPerSplit = (Math.Max(tilesEnd - tilesStart, 0) + TileKv * sizes.KeySplits - 1) / (TileKv * sizes.KeySplits) * TileKv;
                int splitStart = Math.Min(tilesStart + split * keysPerSplit, tilesEnd);
                int splitEnd = Math.Min(splitStart + keysPerSplit, tilesEnd);

                // Rows of q and of k, then v, padded to RowStride floats so that the 8 rows a warp reads at once fall in
                // different banks; the weights tile is [key, row], its rows permuted so that a thread's rows are adjacent.
                // Allocated as Float4 so that every vector read is 16-byte aligned, and viewed as floats where needed.
                ArrayView<Float4> qVectors = SharedMemory.Allocate<Float4>(RowsPerGroup * RowVectors);
                ArrayView<Float4> kVectors = SharedMemory.Allocate<Float4>(TileKv * RowVectors);
                ArrayView<Float4> weightVectors = SharedMemory.Allocate<Float4>(TileKv * WeightStride / 4);
                ArrayView<Float4> rowFactorVectors = SharedMemory.Allocate<Float4>(RowsPerGroup / 4);
                ArrayView<float> qTile = qVectors.Cast<float>(), kvTile = kVectors.Cast<float>();
                ArrayView<float> weights = weightVectors.Cast<float>(), rowFactors = rowFactorVectors.Cast<float>();
                ArrayView<{{chunkVector}}> vChunks = kVectors{{GpuVectors.Cast(layout.DimChunk)}};
                ArrayView<{{weightVector}}> weightRows = weightVectors{{GpuVectors.Cast(rows)}}, rowFactorBlocks = rowFactorVectors{{GpuVectors.Cast(rows)}};

                // {{GpuWeights.Comment(spec)}}
                // The inputs as Float4s, for staging when they start 16-byte aligned.
                ArrayView<Float4> qFloat4 = q.Cast<Float4>(), kFloat4 = k.Cast<Float4>(), vFloat4 = v.Cast<Float4>();
                long queryRowsAt = ((long)batchHead * sizes.QueryLength + firstRow) * HeadDim;
                {{Unrolled.Indent(GpuStaging.Stage(layout, "qTile", "qVectors", "q", "queryRowsAt", "rowCount * HeadDim", element => GpuWeights.Query(spec, element)), 4)}}
                {{Unrolled.Indent(Unrolled.Lines(rows, i => $"int qAt{i} = (rowBlock + {8 * i}) * RowVectors, kAt{i} = (columnBlock + {8 * i}) * RowVectors;"), 4)}}

                // Thread r (r < RowsPerGroup) keeps the state of row firstRow + r, whose weights sit at ownColumn.
                bool ownsRow = thread < rowCount;
                (int start, int end) = ownsRow ? TileKeys(firstPosition + firstRow + thread, validKeys) : (0, 0);
                int ownColumn = thread % 8 * RowsPerThread + thread / 8;
                {{GpuWeights.State(spec)}}
                {{Unrolled.Indent(Unrolled.Lines(rows, i => $"float {string.Join(", ", Unrolled.Names(layout.DimsPerThread, n => $"o{i}_{n} = 0f"))};"), 4)}}

                for (int j0 = splitStart; j0 < splitEnd; j0 += TileKv)
                {
                    int keys = Math.Min(TileKv, splitEnd - j0);
                    long tileAt = kvAt + (long)j0 * HeadDim;
                    // The previous tile's v and weights are read by now.
                    Group.Barrier();
                    {{Unrolled.Indent(GpuStaging.Stage(layout, "kvTile", "kVectors", "k", "tileAt", "keys * HeadDim", element => GpuWeights.Key(spec, element)), 8)}}
                    Group.Barrier();

                    // Scores of this thread's rows with its keys (keys past `keys` are zero rows, and their scores never read).
                    {{Unrolled.Indent(Unrolled.Lines(rows, i => $"float {string.Join(", ", Unrolled.Names(rows, j => $"s{i}{j} = 0f"))};"), 8)}}
                    for (int d = 0; d < HeadDim / 4; d++)
                    {
                        {{Unrolled.Indent(Unrolled.Lines(rows, i => $"Float4 q{i} = qVectors[qAt{i} + d], k{i} = kVectors[kAt{i} + d];"), 12)}}
                        {{Unrolled.Indent(Unrolled.Lines(rows * rows, n => $"s{n / rows}{n % rows} = s{n / rows}{n % rows} + q{n / rows}.X * k{n % rows}.X + q{n / rows}.Y * k{n % rows}.Y + q{n / rows}.Z * k{n % rows}.Z + q{n / rows}.W * k{n % rows}.W;"), 12)}}
                    }
                    {{Unrolled.Indent(Unrolled.Lines(rows, j => $"weightRows[(columnBlock + {8 * j}) * WeightVectors + rowBlock] = new {weightVector}({string.Join(", ", Unrolled.Names(rows, i => $"s{i}{j}"))});"), 8)}}
                    Group.Barrier();

                    // v replaces k (every score is computed); meanwhile each row's owner turns its scores into weights.
                    {{Unrolled.Indent(GpuStaging.Stage(layout, "kvTile", "kVectors", "v", "tileAt", "keys * HeadDim", element => element), 8)}}
                    if (thread < RowsPerGroup)
                    {
                        // Only the row's own keys get a weight: the mask cuts nothing inside them, only tiles that cross their ends.
                        int from = Math.Min(Math.Max(start - j0, 0), keys), to = Math.Min(Math.Max(end - j0, 0), keys);
                        {{Unrolled.Indent(GpuWeights.RowPass(spec, layout), 12)}}
                    }
                    Group.Barrier();

                    {{Unrolled.Indent(GpuWeights.Rescale(spec, layout), 8)}}
                    for (int j = 0; j < keys; j++)
                    {
                        {{weightVector}} p = weightRows[j * WeightVectors + rowBlock];
                        {{Unrolled.Indent(Unrolled.Lines(layout.DimsPerThread / layout.DimChunk, c => $"{chunkVector} v{c} = vChunks[j * RowChunks + {8 * c} + columnBlock];"), 12)}}
                        {{Unrolled.Indent(Unrolled.Lines(rows * layout.DimsPerThread, n => $"o{n / layout.DimsPerThread}_{n % layout.DimsPerThread} += p{GpuVectors.Component(rows, n / layout.DimsPerThread)} * v{n % layout.DimsPerThread / layout.DimChunk}{GpuVectors.Component(layout.DimChunk, n % layout.DimChunk)};"), 12)}}
                    }
                }

                // Each owner publishes its row's final factor once every thread is done with the last tile's (and, when
                // no tile ran, once the q tile is staged).
                Group.Barrier();
                {{Unrolled.Indent(GpuLinearStates.AddStates(spec, layout), 4)}}
                if (thread < RowsPerGroup)
                {
                    {{Unrolled.Indent(GpuWeights.OwnerFinish(spec), 8)}}
                }
                Group.Barrier();
                {{weightVector}} factor = rowFactorBlocks[rowBlock];
                ArrayView<float> destination = {{GpuWeights.Destination(spec)}};
                {{Unrolled.Indent(Unrolled.Lines(rows, i => GpuWeights.Store(layout, i)), 4)}}
            }
            """);
    }
}

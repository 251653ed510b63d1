using KernelGen.Generator.Model;

namespace KernelGen.Generator.Emit.Gpu;

/// <summary>
/// Writes the ILGPU kernel: one group per <see cref="GpuLayout.RowsPerGroup"/> query rows of one (batch, head), key
/// and value tiles staged in shared memory with compile-time sizes, each row's q and output accumulators unrolled
/// into scalar locals (registers), tiles outside every row's keys never visited.
/// </summary>
internal static class GpuAttentionKernelEmitter
{
    public static void Emit(IndentedWriter writer, AttentionSpec spec, GpuLayout layout)
    {
        int dims = layout.DimsPerLane;
        writer.Write($$"""
            /// <summary>
            /// The kernel (public so it can be compiled ahead, e.g. to PTX, and inspected). Each query row has Lanes
            /// threads; a lane holds DimsPerLane of the row's dims of q and of its output in locals. For every key of
            /// a staged tile each lane writes its partial dot product to shared memory, and after one barrier each lane
            /// adds its row's partials (one barrier per tile, where a warp shuffle per key would cost a barrier per key
            /// on the CPU accelerator). Every read and write is guarded: rows below queryLength, keys inside the row's
            /// visible range, which lies inside keyLength; the entry points check the views' lengths.
            /// </summary>
            public static void AttentionKernel(ArrayView<float> q, ArrayView<float> k, ArrayView<float> v, ArrayView<float> output,
                ArrayView<float> logSumExp, ArrayView<float> partialOutputs, ArrayView<float> partialStats, AttentionGpuParameters sizes)
            {
                int thread = Group.IdxX;
                int lane = thread % Lanes;
                int rowInGroup = thread / Lanes;
                int split = Grid.IdxX % sizes.KeySplits;
                int queryTile = Grid.IdxX / sizes.KeySplits;
                int batchHead = queryTile / sizes.QueryTiles;
                int firstRow = queryTile % sizes.QueryTiles * RowsPerGroup;
                int row = firstRow + rowInGroup;
                bool active = row < sizes.QueryLength;
                // Query head h reads key/value head h / GroupSize: K and V are never repeated.
                long kvAt = ((long)(batchHead / Heads) * KvHeads + batchHead % Heads / GroupSize) * sizes.KeyLength * HeadDim;

                // Queries are the last queryLength of keyLength positions. The group's first row starts, and its last
                // row ends, the keys any of its rows sees: the tiles outside that range are skipped.
                int firstPosition = sizes.KeyLength - sizes.QueryLength;
                (int start, int end) = active ? VisibleKeys(firstPosition + row, sizes.KeyLength) : (0, 0);
                int tilesStart = VisibleKeys(firstPosition + firstRow, sizes.KeyLength).Start;
                int tilesEnd = VisibleKeys(firstPosition + Math.Min(firstRow + RowsPerGroup, sizes.QueryLength) - 1, sizes.KeyLength).End;
                // Split-KV (decoding): this group takes its share of those keys, whole tiles; the shares are merged after.
                int keysPerSplit = (Math.Max(tilesEnd - tilesStart, 0) + TileKv * sizes.KeySplits - 1) / (TileKv * sizes.KeySplits) * TileKv;
                int splitStart = Math.Min(tilesStart + split * keysPerSplit, tilesEnd);
                int splitEnd = Math.Min(splitStart + keysPerSplit, tilesEnd);

                long rowAt = ((long)batchHead * sizes.QueryLength + row) * HeadDim + lane * DimsPerLane;
                // {{GpuWeights.Comment(spec)}}
                {{Unrolled.Indent(Unrolled.Lines(dims, i => $"float q{i} = 0f;"), 4)}}
                if (active)
                {
                    {{Unrolled.Indent(Unrolled.Lines(dims, i => $"q{i} = {GpuWeights.Query(spec, $"q[rowAt + {i}]")};"), 8)}}
                }
                {{Unrolled.Indent(Unrolled.Lines(dims, i => $"float o{i} = 0f;"), 4)}}
                {{GpuWeights.State(spec)}}

                ArrayView<float> kTile = SharedMemory.Allocate<float>(TileKv * HeadDim);
                ArrayView<float> vTile = SharedMemory.Allocate<float>(TileKv * HeadDim);
                // Thread t's partial dot product with key j of the tile at t * TileKv + j; a row's lanes are adjacent.
                ArrayView<float> partials = SharedMemory.Allocate<float>(ThreadsPerGroup * TileKv);
                for (int j0 = splitStart; j0 < splitEnd; j0 += TileKv)
                {
                    int keys = Math.Min(TileKv, splitEnd - j0);
                    long tileAt = kvAt + (long)j0 * HeadDim;
                    for (int i = thread; i < keys * HeadDim; i += ThreadsPerGroup)
                    {
                        kTile[i] = {{GpuWeights.Key(spec, "k[tileAt + i]")}};
                        vTile[i] = v[tileAt + i];
                    }
                    Group.Barrier();

                    for (int j = 0; j < keys; j++)
                    {
                        int at = j * HeadDim + lane * DimsPerLane;
                        partials[thread * TileKv + j] = {{Unrolled.Sum(dims, i => $"q{i} * kTile[at + {i}]")}};
                    }
                    Group.Barrier();

                    // Only the row's own keys: the mask cuts nothing inside it, only tiles that cross its ends.
                    int from = Math.Max(start, j0) - j0, to = Math.Min(end, j0 + keys) - j0;
                    int rowPartials = rowInGroup * Lanes * TileKv;
                    for (int j = from; j < to; j++)
                    {
                        float score = {{Unrolled.Sum(layout.Lanes, lane => lane == 0 ? "partials[rowPartials + j]" : $"partials[rowPartials + {lane} * TileKv + j]")}};
                        {{Unrolled.Indent(GpuWeights.Update(spec, layout), 12)}}
                    }
                    // The next tile overwrites the tiles and the partials only once every row is done with them.
                    Group.Barrier();
                }

                if (active)
                {
                    {{Unrolled.Indent(GpuWeights.Finish(spec, layout), 8)}}
                }
            }
            """);
    }
}

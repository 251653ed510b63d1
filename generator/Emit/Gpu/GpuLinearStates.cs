using KernelGen.Generator.Model;

namespace KernelGen.Generator.Emit.Gpu;

/// <summary>
/// Chunked linear attention on the GPU (linear kernels without a window). A first kernel writes, for every chunk
/// boundary c, the prefix state over the keys before it: S = Σ φ(k)ᵀv and z = Σ φ(k), as HeadDim rows of
/// HeadDim + 1 floats (z last). The attention kernel then sees explicitly only the keys of its row's own chunk (causal)
/// or none (full), and adds φ(q)·S and φ(q)·z of the state before them: O(N·HeadDim²) rather than O(N²·HeadDim).
/// A window keeps the explicit form, which is O(N·Window) already.
/// </summary>
internal static class GpuLinearStates
{
    /// <summary>Keys per chunk: a state boundary every 64 keys.</summary>
    public const int Chunk = 64;

    public static bool Applies(AttentionSpec spec) => spec.Kind == AttentionKind.Linear && spec.Window == 0;

    /// <summary>The name the kernel's sixth view goes by: split partials for softmax, prefix states for chunked linear.</summary>
    public static string SixthView(AttentionSpec spec) => Applies(spec) ? "linearStates" : "partialOutputs";

    public static string Constants(AttentionSpec spec) => !Applies(spec) ? "" : $$"""

        /// <summary>Keys per chunk of the prefix states, and floats per state (HeadDim rows of S, each with its z).</summary>
        private const int LinearChunk = {{Chunk}};
        private const int StateFloats = HeadDim * (HeadDim + 1);
        """;

    /// <summary>
    /// <c>TileKeys</c>: the keys the attention kernel visits explicitly for a query position — all it sees, except in
    /// chunked linear attention — and, there, <c>StateChunk</c>: the prefix state that holds the rest.
    /// </summary>
    public static string RangeFunctions(AttentionSpec spec)
    {
        if (!Applies(spec))
        {
            return """
                /// <summary>The keys the kernel visits for the query at <paramref name="position"/>: all it sees.</summary>
                private static (int Start, int End) TileKeys(int position, int validKeys) => VisibleKeys(position, validKeys);
                """;
        }
        return spec.Causal
            ? """
                /// <summary>The keys visited one by one: the row's own chunk up to the row (a row before the sequence sees none).</summary>
                private static (int Start, int End) TileKeys(int position, int validKeys)
                    => position < 0 ? (0, 0) : (position / LinearChunk * LinearChunk, Math.Min(position + 1, validKeys));

                /// <summary>The prefix state that holds the rest of the row's keys: every chunk before its own.</summary>
                private static int StateChunk(int position, int validKeys) => position < 0 ? 0 : position / LinearChunk;
                """
            : """
                /// <summary>No key is visited one by one: every row sees all of them, which the last prefix state holds.</summary>
                private static (int Start, int End) TileKeys(int position, int validKeys) => (0, 0);

                /// <summary>The prefix state over all valid keys.</summary>
                private static int StateChunk(int position, int validKeys) => (validKeys + LinearChunk - 1) / LinearChunk;
                """;
    }

    /// <summary>
    /// After the key tiles: the row owners add φ(q)·z of their row's state to the row's sum, and every thread adds
    /// φ(q)·S to its output block (rows read φ(q) from the q tile, S from global memory).
    /// </summary>
    public static string AddStates(AttentionSpec spec, GpuLayout layout)
    {
        if (!Applies(spec))
            return "";
        int width = layout.DimChunk;
        string Row(int i) => $$"""
            if (rowBlock + {{8 * i}} < rowCount)
            {
                long stateAt = (batchKvHead * sizes.StateChunks + StateChunk(firstPosition + firstRow + rowBlock + {{8 * i}}, validKeys)) * StateFloats + columnBlock * {{width}};
                for (int d = 0; d < HeadDim; d++)
                {
                    float feature = qTile[(rowBlock + {{8 * i}}) * RowStride + d];
                    long at = stateAt + d * (HeadDim + 1);
                    {{Unrolled.Indent(Unrolled.Lines(layout.DimsPerThread, n => $"o{i}_{n} += feature * linearStates[at + {n / width * 8 * width + n % width}];"), 8)}}
                }
            }
            """;
        return $$"""
            // The keys before the row's chunk, through the prefix state (layout [batch, kvHead, chunk, HeadDim, HeadDim + 1]).
            long batchKvHead = (long)(batchHead / Heads) * KvHeads + batchHead % Heads / GroupSize;
            if (ownsRow)
            {
                long zAt = (batchKvHead * sizes.StateChunks + StateChunk(firstPosition + firstRow + thread, validKeys)) * StateFloats + HeadDim;
                for (int d = 0; d < HeadDim; d++)
                    rowSum += qTile[thread * RowStride + d] * linearStates[zAt + d * (HeadDim + 1)];
            }
            {{Unrolled.Lines(layout.RowsPerThread, Row)}}
            """;
    }

    /// <summary>The kernel that writes the prefix states.</summary>
    public static string StateKernel(AttentionSpec spec)
    {
        if (!Applies(spec))
            return "";
        int columns = spec.HeadDim / 8;
        return $$"""

            /// <summary>
            /// The prefix states of chunked linear attention: state c of a (batch, key/value head) holds the keys before
            /// c · LinearChunk, for c from 0 to sizes.StateChunks − 1. A group of 64 threads takes 8 rows of S (dims d of
            /// φ(k)) and walks the chunks in order; thread t keeps row d = 8·block + t / 8, columns t % 8 + 8·m, in
            /// registers, and its row's z. Keys past the sequence's valid length are never read.
            /// </summary>
            public static void LinearStateKernel(ArrayView<float> k, ArrayView<float> v, ArrayView<float> linearStates, ArrayView<int> keyLengths,
                AttentionGpuParameters sizes)
            {
                int thread = Group.IdxX;
                int batchKvHead = Grid.IdxX / (HeadDim / 8), block = Grid.IdxX % (HeadDim / 8);
                int row = block * 8 + thread / 8, column = thread % 8;
                int validKeys = keyLengths.Length > 0 ? keyLengths[batchKvHead / KvHeads] : sizes.KeyLength;
                long kvAt = (long)batchKvHead * sizes.KeyLength * HeadDim;
                ArrayView<float> features = SharedMemory.Allocate<float>(LinearChunk * 8);
                ArrayView<float> values = SharedMemory.Allocate<float>(LinearChunk * HeadDim);
                float z = 0f;
                {{Unrolled.Indent(Unrolled.Lines(columns, m => $"float s{m} = 0f;"), 4)}}
                for (int c = 0; c < sizes.StateChunks; c++)
                {
                    long at = ((long)batchKvHead * sizes.StateChunks + c) * StateFloats + row * (HeadDim + 1);
                    {{Unrolled.Indent(Unrolled.Lines(columns, m => $"linearStates[at + column + {8 * m}] = s{m};"), 8)}}
                    if (column == 0)
                        linearStates[at + HeadDim] = z;
                    int j0 = c * LinearChunk;
                    int keys = Math.Min(LinearChunk, validKeys - j0);
                    if (keys <= 0)
                        continue;
                    // The chunk's keys: φ of this block's 8 dims, and all of v, loads in batches (this kernel has few
                    // groups, so little else hides their latency). The last chunk's readers are done by now.
                    Group.Barrier();
                    {{Unrolled.Indent(GpuStaging.Batched(Chunk * 8 / GpuLayout.ThreadsPerGroup, "float", "keys * 8",
                        index => $"k[kvAt + (long)(j0 + ({index}) / 8) * HeadDim + block * 8 + ({index}) % 8]",
                        (index, value) => $"features[{index}] = FeatureMap({value});"), 8)}}
                    {{Unrolled.Indent(GpuStaging.Batched(Chunk * spec.HeadDim / GpuLayout.ThreadsPerGroup, "float", "keys * HeadDim",
                        index => $"v[kvAt + (long)j0 * HeadDim + {index}]",
                        (index, value) => $"values[{index}] = {value};"), 8)}}
                    Group.Barrier();
                    for (int j = 0; j < keys; j++)
                    {
                        float feature = features[j * 8 + thread / 8];
                        z += feature;
                        {{Unrolled.Indent(Unrolled.Lines(columns, m => $"s{m} += feature * values[j * HeadDim + column + {8 * m}];"), 12)}}
                    }
                }
            }
            """;
    }
}

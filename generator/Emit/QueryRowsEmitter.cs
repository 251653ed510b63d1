namespace KernelGen.Generator.Emit;

/// <summary>
/// Writes <c>QueryRows</c>: where a run of a group's query rows lies in Q, as the runs a prefetch walks. The kernels
/// that stream queries from memory (flash tiles, linear chunks) prefetch the next piece's rows while they work.
/// </summary>
internal static class QueryRowsEmitter
{
    public static void Emit(IndentedWriter writer) => writer.Write("""
        /// <summary>
        /// The queries of a group's rows [firstRow, firstRow + count) from <paramref name="queryOffset"/> (the group's
        /// start in Q), to prefetch: rows stack the group's heads query by query, so each head holds one run of positions.
        /// </summary>
        private static PrefetchRuns QueryRows(ReadOnlySpan<float> q, int queryOffset, int queryLength, int firstRow, int count)
        {
            if (count == 0)
                return default;
            int firstPosition = firstRow / GroupSize, positions = (firstRow + count - 1) / GroupSize - firstPosition + 1;
            return new(q.Slice(queryOffset + firstPosition * HeadDim), positions * HeadDim, queryLength * HeadDim, GroupSize);
        }
        """);
}

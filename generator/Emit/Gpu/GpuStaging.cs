namespace KernelGen.Generator.Emit.Gpu;

/// <summary>
/// Copies a tile of rows from a global view into a shared one with padded rows. Each thread moves its elements in
/// batches of independent loads followed by their stores: one element per loop trip would leave each trip waiting
/// out a global load, which made the first version of this kernel spend most of its time staging. When the views
/// start 16-byte aligned (<c>sizes.VectorLoads</c> is 1) and the tile splits evenly, the elements are Float4s.
/// </summary>
internal static class GpuStaging
{
    /// <summary>
    /// Elements <c>i &lt; <paramref name="limit"/></c> of <c><paramref name="source"/>[<paramref name="at"/> + i]</c>,
    /// passed through <paramref name="transform"/>, to row i / HeadDim, column i % HeadDim of the shared tile whose
    /// float and Float4 views are <paramref name="target"/> and <paramref name="targetVectors"/>; the tile's other rows get transform(0), and nothing reads what they
    /// give. <paramref name="at"/> and <paramref name="limit"/> are multiples of 4 (the head dim is a multiple of 8);
    /// <c>source</c>Float4 is <paramref name="source"/> as a Float4 view.
    /// </summary>
    public static string Stage(GpuLayout layout, string target, string targetVectors, string source, string at, string limit, System.Func<string, string> transform)
    {
        string scalar = Copy(layout, 1, target, source, at, limit, transform);
        if (layout.Tile * layout.HeadDim % (4 * GpuLayout.ThreadsPerGroup) != 0)
            return scalar;
        string vector = Copy(layout, 4, targetVectors, $"{source}Float4", $"{at} / 4", $"{limit} / 4", element => transform(element + ".X") == element + ".X"
            ? element
            : $"new Float4({transform(element + ".X")}, {transform(element + ".Y")}, {transform(element + ".Z")}, {transform(element + ".W")})");
        return $$"""
            if (sizes.VectorLoads != 0)
            {
                {{Unrolled.Indent(vector, 4)}}
            }
            else
            {
                {{Unrolled.Indent(scalar, 4)}}
            }
            """;
    }

    private static string Copy(GpuLayout layout, int width, string target, string source, string at, string limit, System.Func<string, string> transform)
    {
        string row = width == 1 ? "HeadDim" : "(HeadDim / 4)", stride = width == 1 ? "RowStride" : "RowVectors";
        return Batched(layout.Tile * layout.HeadDim / width / GpuLayout.ThreadsPerGroup, GpuVectors.Type(width), limit,
            index => $"{source}[{at} + {index}]",
            (index, value) => $"{target}[({index}) / {row} * {stride} + ({index}) % {row}] = {transform(value)};");
    }

    /// <summary>
    /// Elements i = e · 64 + thread for e below <paramref name="elementsPerThread"/>: up to 16 loads (those with
    /// i &lt; <paramref name="limit"/>; the rest are default) issued together, then their stores.
    /// </summary>
    public static string Batched(int elementsPerThread, string type, string limit, System.Func<string, string> load, System.Func<string, string, string> store)
    {
        int batch = elementsPerThread % 16 == 0 ? 16 : elementsPerThread % 8 == 0 ? 8 : elementsPerThread % 4 == 0 ? 4 : elementsPerThread % 2 == 0 ? 2 : 1;
        string Index(int b) => $"i0 + {b * GpuLayout.ThreadsPerGroup}";
        return $$"""
            for (int e = 0; e < {{elementsPerThread}}; e += {{batch}})
            {
                int i0 = e * ThreadsPerGroup + thread;
                {{Unrolled.Indent(Unrolled.Lines(batch, b => $"{type} x{b} = {Index(b)} < {limit} ? {load(Index(b))} : default;"), 4)}}
                {{Unrolled.Indent(Unrolled.Lines(batch, b => store(Index(b), $"x{b}")), 4)}}
            }
            """;
    }
}

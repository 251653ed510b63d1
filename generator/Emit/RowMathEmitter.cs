using KernelGen.Generator.Model;

namespace KernelGen.Generator.Emit;

/// <summary>
/// Writes the per-row arithmetic over one head vector. The length is the constant HeadDim, so each span is sliced
/// once and the loop runs without bounds checks.
/// </summary>
internal static class RowMathEmitter
{
    public static void Emit(IndentedWriter writer, AttentionSpec spec) => writer.Write($$"""
        /// <summary>x·y over the {{spec.HeadDim}} dimensions of one head.</summary>
        private static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
        {
            x = x.Slice(0, HeadDim);
            y = y.Slice(0, HeadDim);
            float sum = 0f;
            for (int d = 0; d < HeadDim; d++)
                sum += x[d] * y[d];
            return sum;
        }

        /// <summary>target += factor · source, over one head vector.</summary>
        private static void AddScaled(Span<float> target, ReadOnlySpan<float> source, float factor)
        {
            target = target.Slice(0, HeadDim);
            source = source.Slice(0, HeadDim);
            for (int d = 0; d < HeadDim; d++)
                target[d] += factor * source[d];
        }

        /// <summary>target *= factor, over one head vector.</summary>
        private static void Scale(Span<float> target, float factor)
        {
            target = target.Slice(0, HeadDim);
            for (int d = 0; d < HeadDim; d++)
                target[d] *= factor;
        }
        """);
}

using System;

namespace KernelGen.MiniLM;

/// <summary>Sentence embeddings as sentence-transformers makes them from all-MiniLM-L6-v2: mean pooling, then L2 norm.</summary>
public static class SentencePooling
{
    /// <summary>
    /// The mean of each sequence's token rows of <paramref name="lastHiddenState"/> ([batch, seq, width], padding
    /// excluded), scaled to unit length: [batch, width].
    /// </summary>
    public static float[] MeanPoolNormalized(ReadOnlySpan<float> lastHiddenState, TokenBatch tokens, int width)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (lastHiddenState.Length != tokens.Batch * tokens.SequenceLength * width)
            throw new ArgumentException($"lastHiddenState must hold batch × seq × width = {tokens.Batch * tokens.SequenceLength * width} floats.", nameof(lastHiddenState));
        var embeddings = new float[tokens.Batch * width];
        var sum = new double[width];
        for (int b = 0; b < tokens.Batch; b++)
        {
            Array.Clear(sum);
            for (int s = 0; s < tokens.Lengths[b]; s++)
            {
                ReadOnlySpan<float> row = lastHiddenState.Slice((b * tokens.SequenceLength + s) * width, width);
                for (int i = 0; i < width; i++)
                    sum[i] += row[i];
            }
            double norm = 0;
            foreach (double x in sum)
                norm += x * x;
            // sentence-transformers divides by max(‖mean‖, 1e-12); the mean's count cancels in the normalization.
            double scale = 1 / Math.Max(Math.Sqrt(norm), 1e-12);
            for (int i = 0; i < width; i++)
                embeddings[b * width + i] = (float)(sum[i] * scale);
        }
        return embeddings;
    }

    /// <summary>Cosine similarity of two vectors, in float64.</summary>
    public static double Cosine(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        if (x.Length != y.Length)
            throw new ArgumentException($"y must be as long as x ({x.Length}), but holds {y.Length}.", nameof(y));
        double dot = 0, xx = 0, yy = 0;
        for (int i = 0; i < x.Length; i++)
        {
            dot += (double)x[i] * y[i];
            xx += (double)x[i] * x[i];
            yy += (double)y[i] * y[i];
        }
        return dot / Math.Sqrt(xx * yy);
    }
}

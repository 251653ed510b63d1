using System;

namespace KernelGen.Runtime.Tests;

/// <summary>What <see cref="Float64Attention.Forward"/> computes.</summary>
/// <param name="Output">The float64 output, laid out as the kernels' output: [batch, heads, queryLength, headDim].</param>
/// <param name="EmptyRows">Per output row ([batch, heads, queryLength]): true when the row sees no key at all.</param>
/// <param name="MaxAbsScore">The largest |scale · q·k| over visible pairs (softmax), so a test can show its scores are what it claims.</param>
/// <param name="LogSumExp">Softmax: per output row, ln Σ exp(scale · q·k) over the visible keys, −∞ for a row with none; linear: empty.</param>
/// <param name="Weights">The normalized weights, [batch, heads, queryLength, keyLength]: 0 for masked keys and empty rows.</param>
internal sealed record Float64Result(double[] Output, bool[] EmptyRows, double MaxAbsScore, double[] LogSumExp, double[] Weights);

/// <summary>
/// Attention in float64, written from the definition in IAttentionKernel's contract and independently of the
/// runtime's ReferenceAttention: per (batch, head) it builds the whole query × key score matrix, a boolean mask
/// matrix from the visibility predicate, a row-normalized weight matrix (softmax with max subtraction, or linear
/// weights φ(q)·φ(k) over their sum + 1e-6), and multiplies it by V. Defaults (KvHeads 0, Scale 0) are resolved
/// here, not through the runtime's helpers.
/// </summary>
internal static class Float64Attention
{
    /// <summary>The ε in linear attention's denominator, from the contract: Σ w v / (Σ w + 1e-6).</summary>
    public const double LinearEpsilon = 1e-6;

    /// <summary>
    /// Whether the query at <paramref name="position"/> sees <paramref name="key"/> among the first
    /// <paramref name="validKeys"/> keys. Causal window W: p − W &lt; j ≤ p; window W: |p − j| &lt; W; causal: j ≤ p.
    /// </summary>
    public static bool Sees(bool causal, int window, long position, int key, int validKeys)
    {
        if (key < 0 || key >= validKeys)
            return false;
        if (causal && key > position)
            return false;
        if (window > 0)
        {
            long distance = position - key;
            if (causal ? distance >= window : Math.Abs(distance) >= window)
                return false;
        }
        return true;
    }

    public static Float64Result Forward(AttentionConfig config, float[] q, float[] k, float[] v,
        int batch, int queryLength, int keyLength, int[]? keyLengths = null)
    {
        int d = config.HeadDim;
        int heads = config.Heads;
        int kvHeads = config.KvHeads == 0 ? heads : config.KvHeads;
        int queriesPerKv = heads / kvHeads;
        double scale = config.Scale == 0 ? 1.0 / Math.Sqrt(d) : config.Scale;
        bool linear = config.Kind == AttentionKind.Linear;

        if (q.Length != batch * heads * queryLength * d || k.Length != batch * kvHeads * keyLength * d
            || v.Length != k.Length || (keyLengths is not null && keyLengths.Length != batch))
        {
            throw new InvalidOperationException("The test built inputs of the wrong size for the reference.");
        }

        var output = new double[q.Length];
        var emptyRows = new bool[batch * heads * queryLength];
        var logSumExp = new double[linear ? 0 : batch * heads * queryLength];
        var allWeights = new double[batch * heads * queryLength * keyLength];
        double maxAbsScore = 0;
        for (int b = 0; b < batch; b++)
        {
            int validKeys = keyLengths is null ? keyLength : keyLengths[b];
            for (int h = 0; h < heads; h++)
            {
                int kvHead = h / queriesPerKv;
                double[,] qm = Matrix(q, ((b * heads) + h) * queryLength * d, queryLength, d);
                double[,] km = Matrix(k, ((b * kvHeads) + kvHead) * keyLength * d, keyLength, d);
                double[,] vm = Matrix(v, ((b * kvHeads) + kvHead) * keyLength * d, keyLength, d);

                var mask = new bool[queryLength, keyLength];
                for (int i = 0; i < queryLength; i++)
                {
                    long position = (long)i + validKeys - queryLength;
                    for (int j = 0; j < keyLength; j++)
                        mask[i, j] = Sees(config.Causal, config.Window, position, j, validKeys);
                }

                double[,] weights;
                if (linear)
                {
                    weights = MultiplyTransposed(Map(qm, Phi), Map(km, Phi));
                    NormalizeLinear(weights, mask);
                }
                else
                {
                    weights = MultiplyTransposed(qm, km);
                    for (int i = 0; i < queryLength; i++)
                    for (int j = 0; j < keyLength; j++)
                    {
                        weights[i, j] *= scale;
                        if (mask[i, j])
                            maxAbsScore = Math.Max(maxAbsScore, Math.Abs(weights[i, j]));
                    }
                    double[] rowLogSumExp = Softmax(weights, mask);
                    rowLogSumExp.CopyTo(logSumExp, ((b * heads) + h) * queryLength);
                }

                double[,] o = Multiply(weights, vm);
                for (int i = 0; i < queryLength; i++)
                {
                    int row = ((b * heads) + h) * queryLength + i;
                    for (int j = 0; j < keyLength; j++)
                        allWeights[row * keyLength + j] = weights[i, j];
                    bool empty = true;
                    for (int j = 0; j < keyLength; j++)
                        empty &= !mask[i, j];
                    emptyRows[row] = empty;
                    for (int a = 0; a < d; a++)
                        output[row * d + a] = o[i, a];
                }
            }
        }
        return new Float64Result(output, emptyRows, maxAbsScore, logSumExp, allWeights);
    }

    /// <summary>φ(x) = elu(x) + 1: x + 1 for x ≥ 0, exp(x) below.</summary>
    public static double Phi(double x) => x >= 0 ? x + 1 : Math.Exp(x);

    private static double[,] Matrix(float[] data, int offset, int rows, int columns)
    {
        var m = new double[rows, columns];
        for (int r = 0; r < rows; r++)
        for (int c = 0; c < columns; c++)
            m[r, c] = data[offset + r * columns + c];
        return m;
    }

    private static double[,] Map(double[,] m, Func<double, double> f)
    {
        var result = new double[m.GetLength(0), m.GetLength(1)];
        for (int r = 0; r < m.GetLength(0); r++)
        for (int c = 0; c < m.GetLength(1); c++)
            result[r, c] = f(m[r, c]);
        return result;
    }

    /// <summary>A · Bᵀ.</summary>
    private static double[,] MultiplyTransposed(double[,] a, double[,] b)
    {
        int n = a.GetLength(0), m = b.GetLength(0), inner = a.GetLength(1);
        var result = new double[n, m];
        for (int i = 0; i < n; i++)
        for (int j = 0; j < m; j++)
        {
            double sum = 0;
            for (int x = 0; x < inner; x++)
                sum += a[i, x] * b[j, x];
            result[i, j] = sum;
        }
        return result;
    }

    /// <summary>A · B.</summary>
    private static double[,] Multiply(double[,] a, double[,] b)
    {
        int n = a.GetLength(0), m = b.GetLength(1), inner = a.GetLength(1);
        var result = new double[n, m];
        for (int i = 0; i < n; i++)
        for (int x = 0; x < inner; x++)
        {
            double w = a[i, x];
            if (w == 0)
                continue;
            for (int j = 0; j < m; j++)
                result[i, j] += w * b[x, j];
        }
        return result;
    }

    /// <summary>
    /// Row softmax over the visible entries; masked entries, and every entry of a row with none visible, become 0.
    /// Returns each row's log-sum-exp, max + ln Σ exp(s − max), −∞ for a row with none visible.
    /// </summary>
    private static double[] Softmax(double[,] scores, bool[,] mask)
    {
        var logSumExp = new double[scores.GetLength(0)];
        for (int i = 0; i < scores.GetLength(0); i++)
        {
            double max = double.NegativeInfinity;
            for (int j = 0; j < scores.GetLength(1); j++)
            {
                if (mask[i, j])
                    max = Math.Max(max, scores[i, j]);
            }
            double total = 0;
            for (int j = 0; j < scores.GetLength(1); j++)
            {
                scores[i, j] = mask[i, j] ? Math.Exp(scores[i, j] - max) : 0;
                total += scores[i, j];
            }
            for (int j = 0; j < scores.GetLength(1); j++)
                scores[i, j] = total > 0 ? scores[i, j] / total : 0;
            logSumExp[i] = total > 0 ? max + Math.Log(total) : double.NegativeInfinity;
        }
        return logSumExp;
    }

    /// <summary>Linear weights w / (Σ w + ε) over the visible entries; a row with none visible becomes 0.</summary>
    private static void NormalizeLinear(double[,] weights, bool[,] mask)
    {
        for (int i = 0; i < weights.GetLength(0); i++)
        {
            double total = 0;
            bool any = false;
            for (int j = 0; j < weights.GetLength(1); j++)
            {
                if (!mask[i, j])
                    weights[i, j] = 0;
                any |= mask[i, j];
                total += weights[i, j];
            }
            for (int j = 0; j < weights.GetLength(1); j++)
                weights[i, j] = any ? weights[i, j] / (total + LinearEpsilon) : 0;
        }
    }
}

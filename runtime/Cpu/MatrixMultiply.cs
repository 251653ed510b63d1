using System;

namespace KernelGen;

/// <summary>
/// Dense fp32 matrix products for the layers around attention (Q/K/V and output projections):
/// C[m×n] = A[m×k] · B[k×n] (+ bias[n]), all row-major. B is laid out as ONNX and PyTorch export linear weights
/// for MatMul: [in, out].
/// </summary>
public static class MatrixMultiply
{
    /// <summary>
    /// C = A · B, plus <paramref name="bias"/> added to every row when it is not empty. C is overwritten.
    /// </summary>
    /// <exception cref="ArgumentException">A size is negative, a span is too short, or bias is neither empty nor n long; nothing is written.</exception>
    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n,
        ReadOnlySpan<float> bias = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (a.Length < (long)m * k)
            throw new ArgumentException($"a must hold m × k = {(long)m * k} floats; it has {a.Length}.", nameof(a));
        if (b.Length < (long)k * n)
            throw new ArgumentException($"b must hold k × n = {(long)k * n} floats; it has {b.Length}.", nameof(b));
        if (c.Length < (long)m * n)
            throw new ArgumentException($"c must hold m × n = {(long)m * n} floats; it has {c.Length}.", nameof(c));
        if (!bias.IsEmpty && bias.Length != n)
            throw new ArgumentException($"bias must be empty or hold n = {n} floats; it has {bias.Length}.", nameof(bias));

        for (int i = 0; i < m; i++)
        {
            Span<float> row = c.Slice(i * n, n);
            if (bias.IsEmpty)
                row.Clear();
            else
                bias.CopyTo(row);
            for (int p = 0; p < k; p++)
            {
                float aip = a[i * k + p];
                ReadOnlySpan<float> bRow = b.Slice(p * n, n);
                for (int j = 0; j < n; j++)
                    row[j] += aip * bRow[j];
            }
        }
    }
}

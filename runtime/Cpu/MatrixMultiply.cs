using System;
using System.Runtime.Intrinsics;

namespace KernelGen;

/// <summary>
/// Dense fp32 matrix products for the layers around attention (Q/K/V and output projections):
/// C[m×n] = A[m×k] · B[k×n] (+ bias[n]), all row-major. B is laid out as ONNX and PyTorch export linear weights
/// for MatMul: [in, out].
/// </summary>
/// <remarks>
/// A blocked GEMM (B packed into panels, A into slivers, a 6-row × 4-vector register block; see
/// <see cref="GemmBlocking{TWidth, TVector}"/>) on the CPU path of <see cref="AttentionCpu.Path"/>, over up to
/// <see cref="AttentionParallelism.MaxDegreeOfParallelism"/> threads. Results are bitwise identical for every thread
/// count. Scratch is per thread and reused, so steady-state calls allocate nothing. Each element is a sequential
/// fp32 sum over k (fused multiply-adds on the vector paths), so its error is within about k·2⁻²⁴·Σₚ|A[i,p]·B[p,j]|.
/// </remarks>
public static unsafe class MatrixMultiply
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
        ValidateWeights(b, k, n, bias);
        if (c.Length < (long)m * n)
            throw new ArgumentException($"c must hold m × n = {(long)m * n} floats; it has {c.Length}.", nameof(c));

        if (m == 0 || n == 0)
            return;
        fixed (float* pa = a, pb = b, pc = c)
        {
            switch (AttentionCpu.Path)
            {
                case CpuPath.Vector512:
                    GemmBlocking<Simd512, Vector512<float>>.Multiply(pa, pb, pc, m, k, n, bias);
                    break;
                case CpuPath.Vector256:
                    GemmBlocking<Simd256, Vector256<float>>.Multiply(pa, pb, pc, m, k, n, bias);
                    break;
                default:
                    GemmBlocking<SimdScalar, float>.Multiply(pa, pb, pc, m, k, n, bias);
                    break;
            }
        }
    }

    /// <summary>
    /// C = A · B + bias with B and its bias packed beforehand (<see cref="PackedWeights.Create"/>); the same sums, so
    /// the same bits, as the unpacked overload on the weights' CPU path. C is overwritten.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="weights"/> is null.</exception>
    /// <exception cref="ArgumentException">m is negative or a span is too short; nothing is written.</exception>
    public static void Multiply(ReadOnlySpan<float> a, PackedWeights weights, Span<float> c, int m)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        int k = weights.K, n = weights.N;
        if (a.Length < (long)m * k)
            throw new ArgumentException($"a must hold m × k = {(long)m * k} floats; it has {a.Length}.", nameof(a));
        if (c.Length < (long)m * n)
            throw new ArgumentException($"c must hold m × n = {(long)m * n} floats; it has {c.Length}.", nameof(c));
        if (m == 0 || n == 0)
            return;
        fixed (float* pa = a, pc = c)
        {
            switch (weights.Path)
            {
                case CpuPath.Vector512:
                    GemmBlocking<Simd512, Vector512<float>>.MultiplyPacked(pa, weights.Packed, pc, m, k, n);
                    break;
                case CpuPath.Vector256:
                    GemmBlocking<Simd256, Vector256<float>>.MultiplyPacked(pa, weights.Packed, pc, m, k, n);
                    break;
                default:
                    GemmBlocking<SimdScalar, float>.MultiplyPacked(pa, weights.Packed, pc, m, k, n);
                    break;
            }
        }
        GC.KeepAlive(weights);
    }

    internal static void ValidateWeights(ReadOnlySpan<float> b, int k, int n, ReadOnlySpan<float> bias)
    {
        if (b.Length < (long)k * n)
            throw new ArgumentException($"b must hold k × n = {(long)k * n} floats; it has {b.Length}.", nameof(b));
        if (!bias.IsEmpty && bias.Length != n)
            throw new ArgumentException($"bias must be empty or hold n = {n} floats; it has {bias.Length}.", nameof(bias));
    }
}

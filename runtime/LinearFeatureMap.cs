using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace KernelGen;

/// <summary>The feature map of linear attention, φ(x) = elu(x) + 1.</summary>
public static class LinearFeatureMap
{
    private const float Log2E = 1.44269504f;

    /// <summary>
    /// φ(x) = elu(x) + 1, computed branchwise: x + 1 for x ≥ 0, exp(x) below, which is exact where elu(x) + 1 would
    /// lose every digit to the cancellation exp(x) − 1 + 1. Always positive.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Phi(float x) => x >= 0 ? x + 1f : MathF.Exp(x);

    /// <summary>
    /// φ of every element, on the vectors of <paramref name="path"/>. The vector paths compute exp(x) as
    /// exp2(x·log2 e) with <see cref="VectorExp2"/>: relative error ≤ 2.5e-7 + |x|·6e-8, immaterial next to the 1e-6
    /// of the denominator's ε for the weights that matter.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // as LinearChunk's kernels, which it feeds (see there)
    public static void Apply(ReadOnlySpan<float> x, Span<float> phi, CpuPath path)
    {
        if (phi.Length < x.Length)
            throw new ArgumentException($"phi must hold at least x.Length = {x.Length} floats, but holds {phi.Length}.", nameof(phi));
        ref float source = ref MemoryMarshal.GetReference(x);
        ref float target = ref MemoryMarshal.GetReference(phi);
        int i = 0;
        if (path == CpuPath.Vector512)
        {
            for (; i + 16 <= x.Length; i += 16)
            {
                Vector512<float> v = Vector512.LoadUnsafe(ref source, (nuint)i);
                Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(v, Vector512<float>.Zero),
                    v + Vector512<float>.One, VectorExp2.Exp2(v * Vector512.Create(Log2E))).StoreUnsafe(ref target, (nuint)i);
            }
        }
        if (path >= CpuPath.Vector256)
        {
            for (; i + 8 <= x.Length; i += 8)
            {
                Vector256<float> v = Vector256.LoadUnsafe(ref source, (nuint)i);
                Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(v, Vector256<float>.Zero),
                    v + Vector256<float>.One, VectorExp2.Exp2(v * Vector256.Create(Log2E))).StoreUnsafe(ref target, (nuint)i);
            }
        }
        for (; i < x.Length; i++)
            phi[i] = Phi(x[i]);
    }
}

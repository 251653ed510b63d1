using System.Runtime.CompilerServices;

namespace KernelGen;

/// <summary>The feature map of linear attention, φ(x) = elu(x) + 1.</summary>
public static class LinearFeatureMap
{
    /// <summary>
    /// φ(x) = elu(x) + 1, computed branchwise: x + 1 for x ≥ 0, exp(x) below, which is exact where elu(x) + 1 would
    /// lose every digit to the cancellation exp(x) − 1 + 1. Always positive.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Phi(float x) => x >= 0 ? x + 1f : System.MathF.Exp(x);
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace KernelGen;

/// <summary>Horizontal reductions the vector kernels need and the vector types lack.</summary>
public static class VectorReduce
{
    // vmaxps (MaxNative) rather than Max, whose IEEE rules for NaN and signed zeros cost two fixups per step: the kernels
    // take a row's maximum only to keep exp2 in range, and a NaN in the row reaches the output through its own weight.

    /// <summary>The largest of 16 floats (for a NaN among them, some lane's value, perhaps NaN).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Max(Vector512<float> x) => Max(Vector256.MaxNative(x.GetLower(), x.GetUpper()));

    /// <summary>The largest of 8 floats (for a NaN among them, some lane's value, perhaps NaN).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Max(Vector256<float> x)
    {
        Vector128<float> m = Vector128.MaxNative(x.GetLower(), x.GetUpper());
        m = Vector128.MaxNative(m, Vector128.Shuffle(m, Vector128.Create(2, 3, 0, 1)));
        m = Vector128.MaxNative(m, Vector128.Shuffle(m, Vector128.Create(1, 0, 3, 2)));
        return m.ToScalar();
    }
}

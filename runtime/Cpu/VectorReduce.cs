using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace KernelGen;

/// <summary>Horizontal reductions the vector kernels need and the vector types lack.</summary>
public static class VectorReduce
{
    /// <summary>The largest of 16 floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Max(Vector512<float> x) => Max(Vector256.Max(x.GetLower(), x.GetUpper()));

    /// <summary>The largest of 8 floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Max(Vector256<float> x)
    {
        Vector128<float> m = Vector128.Max(x.GetLower(), x.GetUpper());
        m = Vector128.Max(m, Vector128.Shuffle(m, Vector128.Create(2, 3, 0, 1)));
        m = Vector128.Max(m, Vector128.Shuffle(m, Vector128.Create(1, 0, 3, 2)));
        return m.ToScalar();
    }
}

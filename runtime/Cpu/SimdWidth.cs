using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace KernelGen;

/// <summary>
/// One vector width as a type, so runtime kernels are written once and the JIT compiles them per width: every
/// member is static and inlines to the width's instructions.
/// </summary>
public interface ISimdWidth<TVector> where TVector : struct
{
    /// <summary>Floats per vector.</summary>
    static abstract int Count { get; }

    /// <summary>The CPU path this width implements.</summary>
    static abstract CpuPath Path { get; }

    /// <summary>Loads <see cref="Count"/> floats from <paramref name="source"/> + <paramref name="offset"/>.</summary>
    static abstract TVector Load(ref float source, nint offset);

    /// <summary>Stores <paramref name="value"/> at <paramref name="target"/> + <paramref name="offset"/>.</summary>
    static abstract void Store(TVector value, ref float target, nint offset);

    /// <summary>Every lane set to <paramref name="value"/>.</summary>
    static abstract TVector Broadcast(float value);

    /// <summary>a · b + c, fused where the hardware can.</summary>
    static abstract TVector MultiplyAdd(TVector a, TVector b, TVector c);

    /// <summary>
    /// <paramref name="value"/> in the lanes where <paramref name="from"/> ≤ <paramref name="at"/> &lt;
    /// <paramref name="to"/>, exactly 0 in the others (a select, so a NaN outside the range does not survive).
    /// </summary>
    static abstract TVector KeepWithin(TVector value, TVector from, TVector to, TVector at);
}

/// <summary>16 floats (AVX-512).</summary>
public readonly struct Simd512 : ISimdWidth<Vector512<float>>
{
    /// <inheritdoc/>
    public static int Count => 16;

    /// <inheritdoc/>
    public static CpuPath Path => CpuPath.Vector512;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load(ref float source, nint offset) => Vector512.LoadUnsafe(ref Unsafe.Add(ref source, offset));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<float> value, ref float target, nint offset) => value.StoreUnsafe(ref Unsafe.Add(ref target, offset));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Broadcast(float value) => Vector512.Create(value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.FusedMultiplyAdd(a, b, c);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> KeepWithin(Vector512<float> value, Vector512<float> from, Vector512<float> to, Vector512<float> at)
        => Vector512.ConditionalSelect(Vector512.LessThanOrEqual(from, at) & Vector512.LessThan(at, to), value, Vector512<float>.Zero);
}

/// <summary>8 floats (AVX2).</summary>
public readonly struct Simd256 : ISimdWidth<Vector256<float>>
{
    /// <inheritdoc/>
    public static int Count => 8;

    /// <inheritdoc/>
    public static CpuPath Path => CpuPath.Vector256;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(ref float source, nint offset) => Vector256.LoadUnsafe(ref Unsafe.Add(ref source, offset));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<float> value, ref float target, nint offset) => value.StoreUnsafe(ref Unsafe.Add(ref target, offset));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Broadcast(float value) => Vector256.Create(value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.FusedMultiplyAdd(a, b, c);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> KeepWithin(Vector256<float> value, Vector256<float> from, Vector256<float> to, Vector256<float> at)
        => Vector256.ConditionalSelect(Vector256.LessThanOrEqual(from, at) & Vector256.LessThan(at, to), value, Vector256<float>.Zero);
}

/// <summary>One float: the scalar path, same code.</summary>
public readonly struct SimdScalar : ISimdWidth<float>
{
    /// <inheritdoc/>
    public static int Count => 1;

    /// <inheritdoc/>
    public static CpuPath Path => CpuPath.Scalar;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Load(ref float source, nint offset) => Unsafe.Add(ref source, offset);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float value, ref float target, nint offset) => Unsafe.Add(ref target, offset) = value;

    /// <inheritdoc/>
    public static float Broadcast(float value) => value;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MultiplyAdd(float a, float b, float c) => a * b + c;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float KeepWithin(float value, float from, float to, float at) => from <= at && at < to ? value : 0f;
}

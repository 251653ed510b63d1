using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace KernelGen;

/// <summary>
/// Vector operations on one row of floats for the kernels' per-row bookkeeping (the linear kernels' output scaling),
/// written once over <see cref="ISimdWidth{TVector}"/>. Lengths must be multiples of the vector width, as head dims
/// are on the path that runs them.
/// </summary>
/// <exception cref="ArgumentException">A span is shorter than the length, or the length is not a multiple of the width.</exception>
public static class RowVectors
{
    /// <summary>target[i] = scale · x[i] for the first <paramref name="length"/> elements.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Scale<TWidth, TVector>(ReadOnlySpan<float> x, float scale, Span<float> target, int length)
        where TWidth : struct, ISimdWidth<TVector>
        where TVector : struct
    {
        Check<TWidth, TVector>(x.Length, target.Length, length);
        ref float rx = ref MemoryMarshal.GetReference(x), rt = ref MemoryMarshal.GetReference(target);
        TVector s = TWidth.Broadcast(scale), zero = TWidth.Broadcast(0f);
        for (int i = 0; i < length; i += TWidth.Count)
            TWidth.Store(TWidth.MultiplyAdd(TWidth.Load(ref rx, i), s, zero), ref rt, i);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Check<TWidth, TVector>(int first, int second, int length)
        where TWidth : struct, ISimdWidth<TVector>
        where TVector : struct
    {
        if (length < 0 || length % TWidth.Count != 0 || first < length || second < length)
            ThrowBadLength(first, second, length, TWidth.Count);
    }

    // Kept out of Check so that Check inlines into the per-row loops.
    private static void ThrowBadLength(int first, int second, int length, int width)
        => throw new ArgumentException($"length ({length}) must be a multiple of {width} that both spans ({first}, {second}) hold.", nameof(length));
}

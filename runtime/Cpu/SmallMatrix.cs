using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KernelGen;

/// <summary>
/// Reshaping the small, cache-resident tiles inside attention kernels; compiled optimized from the first call, as
/// <see cref="LinearChunk"/>'s kernels are.
/// </summary>
public static class SmallMatrix
{
    /// <summary>
    /// target[j·targetStride + i] = source[i·sourceStride + j] for i &lt; rows, j &lt; columns: a tile of row-major keys
    /// into the depth-major layout that the kernels' register blocks read a row of at a time (flash attention's packed
    /// keys, linear attention's φ(Q)ᵀ).
    /// </summary>
    /// <exception cref="ArgumentException">A span is too short for the shape and strides.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Transpose(ReadOnlySpan<float> source, int sourceStride, int rows, int columns, Span<float> target, int targetStride)
    {
        if (rows == 0 || columns == 0)
            return;
        if ((long)(rows - 1) * sourceStride + columns > source.Length)
            throw new ArgumentException("source is too short for rows × columns.", nameof(source));
        if ((long)(columns - 1) * targetStride + rows > target.Length)
            throw new ArgumentException("target is too short for columns × rows.", nameof(target));
        ref float from = ref MemoryMarshal.GetReference(source);
        ref float to = ref MemoryMarshal.GetReference(target);
        int blockRows = 0, blockColumns = 0;
        if (Avx512F.IsSupported)
        {
            // 16 × 16 blocks in registers: 64 shuffles where 4 × 4 blocks take 128 and twice the loads and stores.
            blockRows = rows / 16 * 16;
            blockColumns = columns / 16 * 16;
            for (int i0 = 0; i0 < blockRows; i0 += 16)
                for (int j0 = 0; j0 < blockColumns; j0 += 16)
                    Block16(ref Unsafe.Add(ref from, (nint)i0 * sourceStride + j0), sourceStride,
                        ref Unsafe.Add(ref to, (nint)j0 * targetStride + i0), targetStride);
        }
        // What the 16 × 16 blocks left: the columns past them in their rows, then the rows past them.
        Rest(ref from, sourceStride, 0, blockRows, blockColumns, columns, ref to, targetStride);
        Rest(ref from, sourceStride, blockRows, rows, 0, columns, ref to, targetStride);
    }

    /// <summary>Rows [rowStart, rowEnd) × columns [columnStart, columnEnd) of the source into the target.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rest(ref float from, int sourceStride, int rowStart, int rowEnd, int columnStart, int columns, ref float to, int targetStride)
    {
        int i = rowStart;
        // Four source rows at a time, so each target row gets four neighbouring floats per pass.
        for (; i + 4 <= rowEnd; i += 4)
        {
            ref float r0 = ref Unsafe.Add(ref from, (nint)i * sourceStride);
            ref float r1 = ref Unsafe.Add(ref r0, sourceStride), r2 = ref Unsafe.Add(ref r1, sourceStride), r3 = ref Unsafe.Add(ref r2, sourceStride);
            int j = columnStart;
            if (Sse.IsSupported)
            {
                // 4 × 4 blocks in registers: four loads, eight shuffles and four stores where the loop below takes
                // sixteen of each.
                for (; j + 4 <= columns; j += 4)
                {
                    Vector128<float> a = Vector128.LoadUnsafe(ref r0, (nuint)j), b = Vector128.LoadUnsafe(ref r1, (nuint)j);
                    Vector128<float> c = Vector128.LoadUnsafe(ref r2, (nuint)j), d = Vector128.LoadUnsafe(ref r3, (nuint)j);
                    Vector128<float> abLow = Sse.UnpackLow(a, b), cdLow = Sse.UnpackLow(c, d);     // a0 b0 a1 b1, c0 d0 c1 d1
                    Vector128<float> abHigh = Sse.UnpackHigh(a, b), cdHigh = Sse.UnpackHigh(c, d); // a2 b2 a3 b3, c2 d2 c3 d3
                    ref float t = ref Unsafe.Add(ref to, (nint)j * targetStride + i);
                    Sse.MoveLowToHigh(abLow, cdLow).StoreUnsafe(ref t);
                    Sse.MoveHighToLow(cdLow, abLow).StoreUnsafe(ref Unsafe.Add(ref t, targetStride));
                    Sse.MoveLowToHigh(abHigh, cdHigh).StoreUnsafe(ref Unsafe.Add(ref t, 2 * targetStride));
                    Sse.MoveHighToLow(cdHigh, abHigh).StoreUnsafe(ref Unsafe.Add(ref t, 3 * targetStride));
                }
            }
            for (; j < columns; j++)
            {
                ref float t = ref Unsafe.Add(ref to, (nint)j * targetStride + i);
                t = Unsafe.Add(ref r0, j);
                Unsafe.Add(ref t, 1) = Unsafe.Add(ref r1, j);
                Unsafe.Add(ref t, 2) = Unsafe.Add(ref r2, j);
                Unsafe.Add(ref t, 3) = Unsafe.Add(ref r3, j);
            }
        }
        for (; i < rowEnd; i++)
            for (int j = columnStart; j < columns; j++)
                Unsafe.Add(ref to, (nint)j * targetStride + i) = Unsafe.Add(ref from, (nint)i * sourceStride + j);
    }

    /// <summary>
    /// A 16 × 16 block: each quad of rows has its pairs interleaved (unpack) and then its pairs of pairs (vshufps), so
    /// that lane L of its vector m holds column 4L + m of those four rows; target row 4L + m then gathers lane L from the
    /// four quads' vectors m (two rounds of vshuff32x4).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block16(ref float source, int sourceStride, ref float target, int targetStride)
    {
        Quad(ref source, sourceStride, out Vector512<float> a0, out Vector512<float> a1, out Vector512<float> a2, out Vector512<float> a3);
        Quad(ref Unsafe.Add(ref source, (nint)4 * sourceStride), sourceStride, out Vector512<float> b0, out Vector512<float> b1, out Vector512<float> b2, out Vector512<float> b3);
        Quad(ref Unsafe.Add(ref source, (nint)8 * sourceStride), sourceStride, out Vector512<float> c0, out Vector512<float> c1, out Vector512<float> c2, out Vector512<float> c3);
        Quad(ref Unsafe.Add(ref source, (nint)12 * sourceStride), sourceStride, out Vector512<float> d0, out Vector512<float> d1, out Vector512<float> d2, out Vector512<float> d3);
        Lanes(a0, b0, c0, d0, ref target, targetStride);
        Lanes(a1, b1, c1, d1, ref Unsafe.Add(ref target, targetStride), targetStride);
        Lanes(a2, b2, c2, d2, ref Unsafe.Add(ref target, (nint)2 * targetStride), targetStride);
        Lanes(a3, b3, c3, d3, ref Unsafe.Add(ref target, (nint)3 * targetStride), targetStride);
    }

    /// <summary>Four rows of 16 into four vectors: lane L of vector m holds the rows' column 4L + m.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Quad(ref float source, int stride, out Vector512<float> m0, out Vector512<float> m1, out Vector512<float> m2, out Vector512<float> m3)
    {
        Vector512<float> a = Vector512.LoadUnsafe(ref source), b = Vector512.LoadUnsafe(ref Unsafe.Add(ref source, stride));
        Vector512<float> c = Vector512.LoadUnsafe(ref Unsafe.Add(ref source, (nint)2 * stride));
        Vector512<float> d = Vector512.LoadUnsafe(ref Unsafe.Add(ref source, (nint)3 * stride));
        Vector512<float> abLow = Avx512F.UnpackLow(a, b), abHigh = Avx512F.UnpackHigh(a, b); // a[4L] b[4L] a[4L+1] b[4L+1]; then +2, +3
        Vector512<float> cdLow = Avx512F.UnpackLow(c, d), cdHigh = Avx512F.UnpackHigh(c, d);
        m0 = Avx512F.Shuffle(abLow, cdLow, 0x44);   // a[4L] b[4L] c[4L] d[4L]
        m1 = Avx512F.Shuffle(abLow, cdLow, 0xEE);   // column 4L + 1
        m2 = Avx512F.Shuffle(abHigh, cdHigh, 0x44); // column 4L + 2
        m3 = Avx512F.Shuffle(abHigh, cdHigh, 0xEE); // column 4L + 3
    }

    /// <summary>
    /// Target rows m, 4 + m, 8 + m and 12 + m (from <paramref name="target"/>, which is at row m): row 4L + m is lane L
    /// of the four quads' vectors, in quad order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Lanes(Vector512<float> q0, Vector512<float> q1, Vector512<float> q2, Vector512<float> q3, ref float target, int stride)
    {
        Vector512<float> p0 = Avx512F.Shuffle4x128(q0, q1, 0x44), p1 = Avx512F.Shuffle4x128(q0, q1, 0xEE); // lanes 0 1 of q0, q1; then 2 3
        Vector512<float> p2 = Avx512F.Shuffle4x128(q2, q3, 0x44), p3 = Avx512F.Shuffle4x128(q2, q3, 0xEE);
        Avx512F.Shuffle4x128(p0, p2, 0x88).StoreUnsafe(ref target);                                     // lane 0 of each
        Avx512F.Shuffle4x128(p0, p2, 0xDD).StoreUnsafe(ref Unsafe.Add(ref target, (nint)4 * stride));  // lane 1
        Avx512F.Shuffle4x128(p1, p3, 0x88).StoreUnsafe(ref Unsafe.Add(ref target, (nint)8 * stride));  // lane 2
        Avx512F.Shuffle4x128(p1, p3, 0xDD).StoreUnsafe(ref Unsafe.Add(ref target, (nint)12 * stride)); // lane 3
    }
}

using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KernelGen;

/// <summary>Reshaping the small, cache-resident tiles inside attention kernels.</summary>
public static class SmallMatrix
{
    /// <summary>
    /// target[j·targetStride + i] = source[i·sourceStride + j] for i &lt; rows, j &lt; columns: a tile of row-major keys
    /// into the depth-major layout that the kernels' register blocks read a row of at a time (flash attention's packed
    /// keys, linear attention's φ(Q)ᵀ).
    /// </summary>
    /// <exception cref="ArgumentException">A span is too short for the shape and strides.</exception>
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
        int i = 0;
        // Four source rows at a time, so each target row gets four neighbouring floats per pass.
        for (; i + 4 <= rows; i += 4)
        {
            ref float r0 = ref Unsafe.Add(ref from, (nint)i * sourceStride);
            ref float r1 = ref Unsafe.Add(ref r0, sourceStride), r2 = ref Unsafe.Add(ref r1, sourceStride), r3 = ref Unsafe.Add(ref r2, sourceStride);
            int j = 0;
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
        for (; i < rows; i++)
            for (int j = 0; j < columns; j++)
                Unsafe.Add(ref to, (nint)j * targetStride + i) = Unsafe.Add(ref from, (nint)i * sourceStride + j);
    }
}

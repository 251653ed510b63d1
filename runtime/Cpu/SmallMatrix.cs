using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KernelGen;

/// <summary>
/// C += α · A · B for the small, L1/L2-resident matrices inside attention kernels (head-dim squares, chunk × head dim),
/// in 4-row × 4-vector register blocks (8 × 2, then 8 × 1, for leftover columns) where the CPU has 32 vector registers,
/// and 4 × 2 where it has 16. Written once over <see cref="ISimdWidth{TVector}"/>, compiled per width. A is read
/// through strides, so Aᵀ needs no copy; B and C are row-major.
/// </summary>
public static class SmallMatrix
{
    /// <summary>
    /// C[i, j] += α · Σₖ A[i, k] · B[k, j] for i &lt; m, j &lt; n, k &lt; depth, where A[i, k] = a[i·aRowStride + k·aColumnStride].
    /// </summary>
    /// <remarks>
    /// <paramref name="fetch"/>: rows the caller will read after this product. Their cache lines are prefetched in
    /// equal shares before the 4 × 4 blocks (the rest after the last block), so the misses overlap the FMAs.
    /// </remarks>
    /// <exception cref="ArgumentException">n is not a multiple of the vector width, or a span is too short.</exception>
    public static void MultiplyAdd<TWidth, TVector>(ReadOnlySpan<float> a, int aRowStride, int aColumnStride,
        ReadOnlySpan<float> b, int bStride, Span<float> c, int cStride, int m, int n, int depth, float alpha = 1f,
        PrefetchQueue fetch = default)
        where TWidth : struct, ISimdWidth<TVector>
        where TVector : struct
    {
        if (m == 0 || n == 0 || depth == 0)
        {
            fetch.FetchAll();
            return;
        }
        int w = TWidth.Count;
        if (n % w != 0)
            throw new ArgumentException($"n ({n}) must be a multiple of the vector width {w}.", nameof(n));
        if ((long)(m - 1) * aRowStride + (long)(depth - 1) * aColumnStride >= a.Length)
            throw new ArgumentException("a is too short for m × depth at the given strides.", nameof(a));
        if ((long)(depth - 1) * bStride + n > b.Length)
            throw new ArgumentException("b is too short for depth × n.", nameof(b));
        if ((long)(m - 1) * cStride + n > c.Length)
            throw new ArgumentException("c is too short for m × n.", nameof(c));

        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rb = ref MemoryMarshal.GetReference(b);
        ref float rc = ref MemoryMarshal.GetReference(c);
        // α = 1 (nearly every call) skips a scalar multiply per broadcast, which would compete with the FMAs for the same pipes.
        if (alpha == 1f)
            Blocks<TWidth, TVector, Unscaled>(ref ra, aRowStride, aColumnStride, ref rb, bStride, ref rc, cStride, m, n, depth, alpha, ref fetch);
        else
            Blocks<TWidth, TVector, Scaled>(ref ra, aRowStride, aColumnStride, ref rb, bStride, ref rc, cStride, m, n, depth, alpha, ref fetch);
        fetch.FetchAll();
    }

    /// <summary>
    /// target[j·targetStride + i] = source[i·sourceStride + j] for i &lt; rows, j &lt; columns: a tile of row-major keys
    /// into the depth-major layout that <see cref="MultiplyAdd{TWidth, TVector}"/> reads as B.
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

    private interface IAlpha
    {
        static abstract float Times(float alpha, float a);
    }

    private readonly struct Unscaled : IAlpha
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Times(float alpha, float a) => a;
    }

    private readonly struct Scaled : IAlpha
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Times(float alpha, float a) => alpha * a;
    }

    // The kernels below take A, B and C already positioned at the block (A[i, 0], B[0, j], C[i, j]) and step through
    // depth by moving those references: every A element is then one broadcast from [row + rowOffset], with no
    // multiply in the loop. Indexing from the matrix start instead cost an imul, a sign extension and an add per
    // broadcast (and kept the broadcasts out of the FMAs' memory operands): linear attention ran 8–15% slower.

    /// <summary>
    /// Whether the blocks may hold 16 accumulators (<see cref="VectorRegisters.ThirtyTwo"/>). With 16 registers, a
    /// 4 × 4 block's 16 accumulators, 4 B vectors and a broadcast spilled to the stack: linear attention ran at 28
    /// GFLOP/s instead of 49 on the 256-bit path (D = 64, causal, N = 16384, with AVX-512 switched off and on).
    /// </summary>
    private static bool ManyRegisters => VectorRegisters.ThirtyTwo;

    private static void Blocks<TWidth, TVector, TAlpha>(ref float ra, int aRowStride, int aColumnStride, ref float rb, int bStride,
        ref float rc, int cStride, int m, int n, int depth, float alpha, ref PrefetchQueue fetch)
        where TWidth : struct, ISimdWidth<TVector>
        where TVector : struct
        where TAlpha : struct, IAlpha
    {
        int w = TWidth.Count;
        var steps = new Steps(aRowStride, aColumnStride, bStride, cStride);
        // The blocks that prefetch: 4 × 4 with 32 registers, 4 × 2 with 16.
        int blocks = m / 4 * (n / ((ManyRegisters ? 4 : 2) * w));
        int share = blocks == 0 ? 0 : (fetch.Lines + blocks - 1) / blocks;
        int j = 0;
        if (ManyRegisters)
        {
            for (; j + 4 * w <= n; j += 4 * w)
            {
                int i = 0;
                for (; i + 4 <= m; i += 4)
                {
                    fetch.Fetch(share);
                    Block4x4<TWidth, TVector, TAlpha>(ref steps.A(ref ra, i), ref Unsafe.Add(ref rb, j), ref steps.C(ref rc, i, j), steps, depth, alpha);
                }
                for (; i < m; i++)
                    Block1x4<TWidth, TVector, TAlpha>(ref steps.A(ref ra, i), ref Unsafe.Add(ref rb, j), ref steps.C(ref rc, i, j), steps, depth, alpha);
            }
        }
        // Two vector columns (with 32 registers, a row of two vectors or the last two of a longer one): eight rows by two
        // keep sixteen FMA chains in flight on ten loads per sixteen FMAs; one column at a time took nine loads per
        // eight. With 16 registers, four rows by two (8 accumulators, 2 B vectors, a broadcast) do all the work.
        for (; j + 2 * w <= n; j += 2 * w)
        {
            int i = 0;
            if (ManyRegisters)
            {
                for (; i + 8 <= m; i += 8)
                    Pair<TWidth, TVector, TAlpha, EightRows>(ref steps.A(ref ra, i), ref Unsafe.Add(ref rb, j), ref steps.C(ref rc, i, j), steps, depth, alpha);
            }
            else
            {
                for (; i + 4 <= m; i += 4)
                {
                    fetch.Fetch(share);
                    Pair<TWidth, TVector, TAlpha, FourRows>(ref steps.A(ref ra, i), ref Unsafe.Add(ref rb, j), ref steps.C(ref rc, i, j), steps, depth, alpha);
                }
            }
            ColumnRows<TWidth, TVector, TAlpha>(ref ra, ref rb, ref rc, steps, i, m, j, depth, alpha);
            ColumnRows<TWidth, TVector, TAlpha>(ref ra, ref rb, ref rc, steps, i, m, j + w, depth, alpha);
        }
        if (j < n)
            ColumnRows<TWidth, TVector, TAlpha>(ref ra, ref rb, ref rc, steps, 0, m, j, depth, alpha);
    }

    /// <summary>Rows [from, m) of the one vector column at j.</summary>
    private static void ColumnRows<TWidth, TVector, TAlpha>(ref float ra, ref float rb, ref float rc, Steps steps, int from, int m, int j,
        int depth, float alpha)
        where TWidth : struct, ISimdWidth<TVector>
        where TVector : struct
        where TAlpha : struct, IAlpha
    {
        int i = from;
        // Eight rows keep eight FMA chains in flight, as two FMA pipes with four cycles of latency need; four rows
        // would leave half of that idle.
        for (; i + 8 <= m; i += 8)
            Column<TWidth, TVector, TAlpha, EightRows>(ref steps.A(ref ra, i), ref Unsafe.Add(ref rb, j), ref steps.C(ref rc, i, j), steps, depth, alpha);
        if (i + 4 <= m)
        {
            Column<TWidth, TVector, TAlpha, FourRows>(ref steps.A(ref ra, i), ref Unsafe.Add(ref rb, j), ref steps.C(ref rc, i, j), steps, depth, alpha);
            i += 4;
        }
        for (; i < m; i++)
        {
            // A lone row (the linear kernels' z, Σ φ(k)) is one chain of dependent FMAs: even and odd depths go
            // to two sums, which halves the wait on the FMA latency.
            ref float a = ref steps.A(ref ra, i), b = ref Unsafe.Add(ref rb, j), c = ref steps.C(ref rc, i, j);
            TVector even = TWidth.Load(ref c, 0), odd = TWidth.Broadcast(0f);
            int k = 0;
            for (; k + 2 <= depth; k += 2)
            {
                even = TWidth.MultiplyAdd(Broadcast<TWidth, TVector, TAlpha>(ref a, 0, alpha), TWidth.Load(ref b, 0), even);
                odd = TWidth.MultiplyAdd(Broadcast<TWidth, TVector, TAlpha>(ref a, steps.AColumn, alpha), TWidth.Load(ref b, steps.BRow), odd);
                a = ref Unsafe.Add(ref a, 2 * steps.AColumn);
                b = ref Unsafe.Add(ref b, 2 * steps.BRow);
            }
            if (k < depth)
                even = TWidth.MultiplyAdd(Broadcast<TWidth, TVector, TAlpha>(ref a, 0, alpha), TWidth.Load(ref b, 0), even);
            TWidth.Store(TWidth.MultiplyAdd(odd, TWidth.Broadcast(1f), even), ref c, 0); // odd · 1 + even: exact, one rounding
        }
    }

    /// <summary>The strides of one product, widened once to native integers.</summary>
    private readonly struct Steps(int aRow, int aColumn, int bRow, int cRow)
    {
        public readonly nint ARow = aRow, AColumn = aColumn, BRow = bRow, CRow = cRow;

        public ref float A(ref float a, int i) => ref Unsafe.Add(ref a, i * ARow);

        public ref float C(ref float c, int i, int j) => ref Unsafe.Add(ref c, i * CRow + j);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector Broadcast<TWidth, TVector, TAlpha>(ref float a, nint offset, float alpha)
        where TWidth : struct, ISimdWidth<TVector>
        where TVector : struct
        where TAlpha : struct, IAlpha
        => TWidth.Broadcast(TAlpha.Times(alpha, Unsafe.Add(ref a, offset)));

    private static void Block4x4<TWidth, TVector, TAlpha>(ref float a, ref float b, ref float c, Steps steps, int depth, float alpha)
        where TWidth : struct, ISimdWidth<TVector>
        where TVector : struct
        where TAlpha : struct, IAlpha
    {
        nint w = TWidth.Count, a1 = steps.ARow, a2 = 2 * a1, a3 = 3 * a1, aStep = steps.AColumn, bStep = steps.BRow;
        nint c1 = steps.CRow, c2 = 2 * c1, c3 = 3 * c1;
        TVector s00 = TWidth.Load(ref c, 0), s01 = TWidth.Load(ref c, w), s02 = TWidth.Load(ref c, 2 * w), s03 = TWidth.Load(ref c, 3 * w);
        TVector s10 = TWidth.Load(ref c, c1), s11 = TWidth.Load(ref c, c1 + w), s12 = TWidth.Load(ref c, c1 + 2 * w), s13 = TWidth.Load(ref c, c1 + 3 * w);
        TVector s20 = TWidth.Load(ref c, c2), s21 = TWidth.Load(ref c, c2 + w), s22 = TWidth.Load(ref c, c2 + 2 * w), s23 = TWidth.Load(ref c, c2 + 3 * w);
        TVector s30 = TWidth.Load(ref c, c3), s31 = TWidth.Load(ref c, c3 + w), s32 = TWidth.Load(ref c, c3 + 2 * w), s33 = TWidth.Load(ref c, c3 + 3 * w);
        for (int k = 0; k < depth; k++)
        {
            TVector b0 = TWidth.Load(ref b, 0), b1 = TWidth.Load(ref b, w), b2 = TWidth.Load(ref b, 2 * w), b3 = TWidth.Load(ref b, 3 * w);
            TVector x0 = Broadcast<TWidth, TVector, TAlpha>(ref a, 0, alpha);
            s00 = TWidth.MultiplyAdd(x0, b0, s00); s01 = TWidth.MultiplyAdd(x0, b1, s01); s02 = TWidth.MultiplyAdd(x0, b2, s02); s03 = TWidth.MultiplyAdd(x0, b3, s03);
            TVector x1 = Broadcast<TWidth, TVector, TAlpha>(ref a, a1, alpha);
            s10 = TWidth.MultiplyAdd(x1, b0, s10); s11 = TWidth.MultiplyAdd(x1, b1, s11); s12 = TWidth.MultiplyAdd(x1, b2, s12); s13 = TWidth.MultiplyAdd(x1, b3, s13);
            TVector x2 = Broadcast<TWidth, TVector, TAlpha>(ref a, a2, alpha);
            s20 = TWidth.MultiplyAdd(x2, b0, s20); s21 = TWidth.MultiplyAdd(x2, b1, s21); s22 = TWidth.MultiplyAdd(x2, b2, s22); s23 = TWidth.MultiplyAdd(x2, b3, s23);
            TVector x3 = Broadcast<TWidth, TVector, TAlpha>(ref a, a3, alpha);
            s30 = TWidth.MultiplyAdd(x3, b0, s30); s31 = TWidth.MultiplyAdd(x3, b1, s31); s32 = TWidth.MultiplyAdd(x3, b2, s32); s33 = TWidth.MultiplyAdd(x3, b3, s33);
            a = ref Unsafe.Add(ref a, aStep);
            b = ref Unsafe.Add(ref b, bStep);
        }
        TWidth.Store(s00, ref c, 0); TWidth.Store(s01, ref c, w); TWidth.Store(s02, ref c, 2 * w); TWidth.Store(s03, ref c, 3 * w);
        TWidth.Store(s10, ref c, c1); TWidth.Store(s11, ref c, c1 + w); TWidth.Store(s12, ref c, c1 + 2 * w); TWidth.Store(s13, ref c, c1 + 3 * w);
        TWidth.Store(s20, ref c, c2); TWidth.Store(s21, ref c, c2 + w); TWidth.Store(s22, ref c, c2 + 2 * w); TWidth.Store(s23, ref c, c2 + 3 * w);
        TWidth.Store(s30, ref c, c3); TWidth.Store(s31, ref c, c3 + w); TWidth.Store(s32, ref c, c3 + 2 * w); TWidth.Store(s33, ref c, c3 + 3 * w);
    }

    /// <summary>
    /// Rows i … i + 3 (or i + 7) of two vector columns. As in <see cref="Column"/>, the row count is a type, so the
    /// four-row instance has no code for the upper rows.
    /// </summary>
    private static void Pair<TWidth, TVector, TAlpha, TRows>(ref float a, ref float b, ref float c, Steps steps, int depth, float alpha)
        where TWidth : struct, ISimdWidth<TVector>
        where TVector : struct
        where TAlpha : struct, IAlpha
        where TRows : struct, IRowCount
    {
        nint w = TWidth.Count, a1 = steps.ARow, aStep = steps.AColumn, bStep = steps.BRow, c1 = steps.CRow;
        TVector s00 = TWidth.Load(ref c, 0), s01 = TWidth.Load(ref c, w), s10 = TWidth.Load(ref c, c1), s11 = TWidth.Load(ref c, c1 + w);
        TVector s20 = TWidth.Load(ref c, 2 * c1), s21 = TWidth.Load(ref c, 2 * c1 + w), s30 = TWidth.Load(ref c, 3 * c1), s31 = TWidth.Load(ref c, 3 * c1 + w);
        TVector s40 = default, s41 = default, s50 = default, s51 = default, s60 = default, s61 = default, s70 = default, s71 = default;
        if (TRows.Eight)
        {
            s40 = TWidth.Load(ref c, 4 * c1); s41 = TWidth.Load(ref c, 4 * c1 + w); s50 = TWidth.Load(ref c, 5 * c1); s51 = TWidth.Load(ref c, 5 * c1 + w);
            s60 = TWidth.Load(ref c, 6 * c1); s61 = TWidth.Load(ref c, 6 * c1 + w); s70 = TWidth.Load(ref c, 7 * c1); s71 = TWidth.Load(ref c, 7 * c1 + w);
        }
        for (int k = 0; k < depth; k++)
        {
            TVector b0 = TWidth.Load(ref b, 0), b1 = TWidth.Load(ref b, w);
            TVector x = Broadcast<TWidth, TVector, TAlpha>(ref a, 0, alpha);
            s00 = TWidth.MultiplyAdd(x, b0, s00); s01 = TWidth.MultiplyAdd(x, b1, s01);
            x = Broadcast<TWidth, TVector, TAlpha>(ref a, a1, alpha);
            s10 = TWidth.MultiplyAdd(x, b0, s10); s11 = TWidth.MultiplyAdd(x, b1, s11);
            x = Broadcast<TWidth, TVector, TAlpha>(ref a, 2 * a1, alpha);
            s20 = TWidth.MultiplyAdd(x, b0, s20); s21 = TWidth.MultiplyAdd(x, b1, s21);
            x = Broadcast<TWidth, TVector, TAlpha>(ref a, 3 * a1, alpha);
            s30 = TWidth.MultiplyAdd(x, b0, s30); s31 = TWidth.MultiplyAdd(x, b1, s31);
            if (TRows.Eight)
            {
                x = Broadcast<TWidth, TVector, TAlpha>(ref a, 4 * a1, alpha);
                s40 = TWidth.MultiplyAdd(x, b0, s40); s41 = TWidth.MultiplyAdd(x, b1, s41);
                x = Broadcast<TWidth, TVector, TAlpha>(ref a, 5 * a1, alpha);
                s50 = TWidth.MultiplyAdd(x, b0, s50); s51 = TWidth.MultiplyAdd(x, b1, s51);
                x = Broadcast<TWidth, TVector, TAlpha>(ref a, 6 * a1, alpha);
                s60 = TWidth.MultiplyAdd(x, b0, s60); s61 = TWidth.MultiplyAdd(x, b1, s61);
                x = Broadcast<TWidth, TVector, TAlpha>(ref a, 7 * a1, alpha);
                s70 = TWidth.MultiplyAdd(x, b0, s70); s71 = TWidth.MultiplyAdd(x, b1, s71);
            }
            a = ref Unsafe.Add(ref a, aStep);
            b = ref Unsafe.Add(ref b, bStep);
        }
        TWidth.Store(s00, ref c, 0); TWidth.Store(s01, ref c, w); TWidth.Store(s10, ref c, c1); TWidth.Store(s11, ref c, c1 + w);
        TWidth.Store(s20, ref c, 2 * c1); TWidth.Store(s21, ref c, 2 * c1 + w); TWidth.Store(s30, ref c, 3 * c1); TWidth.Store(s31, ref c, 3 * c1 + w);
        if (TRows.Eight)
        {
            TWidth.Store(s40, ref c, 4 * c1); TWidth.Store(s41, ref c, 4 * c1 + w); TWidth.Store(s50, ref c, 5 * c1); TWidth.Store(s51, ref c, 5 * c1 + w);
            TWidth.Store(s60, ref c, 6 * c1); TWidth.Store(s61, ref c, 6 * c1 + w); TWidth.Store(s70, ref c, 7 * c1); TWidth.Store(s71, ref c, 7 * c1 + w);
        }
    }

    private interface IRowCount
    {
        static abstract bool Eight { get; }
    }

    private readonly struct FourRows : IRowCount
    {
        public static bool Eight => false;
    }

    private readonly struct EightRows : IRowCount
    {
        public static bool Eight => true;
    }

    /// <summary>
    /// Rows i … i + 3 (or i + 7) of one vector column. The row count is a type, so the JIT drops the upper four rows'
    /// code from the four-row instance.
    /// </summary>
    private static void Column<TWidth, TVector, TAlpha, TRows>(ref float a, ref float b, ref float c, Steps steps, int depth, float alpha)
        where TWidth : struct, ISimdWidth<TVector>
        where TVector : struct
        where TAlpha : struct, IAlpha
        where TRows : struct, IRowCount
    {
        nint a1 = steps.ARow, a2 = 2 * a1, a3 = 3 * a1, a4 = 4 * a1, a5 = 5 * a1, a6 = 6 * a1, a7 = 7 * a1, aStep = steps.AColumn, bStep = steps.BRow;
        nint c1 = steps.CRow, c2 = 2 * c1, c3 = 3 * c1, c4 = 4 * c1, c5 = 5 * c1, c6 = 6 * c1, c7 = 7 * c1;
        TVector s0 = TWidth.Load(ref c, 0), s1 = TWidth.Load(ref c, c1), s2 = TWidth.Load(ref c, c2), s3 = TWidth.Load(ref c, c3);
        TVector s4 = default, s5 = default, s6 = default, s7 = default;
        if (TRows.Eight)
        {
            s4 = TWidth.Load(ref c, c4); s5 = TWidth.Load(ref c, c5); s6 = TWidth.Load(ref c, c6); s7 = TWidth.Load(ref c, c7);
        }
        for (int k = 0; k < depth; k++)
        {
            TVector bk = TWidth.Load(ref b, 0);
            s0 = TWidth.MultiplyAdd(Broadcast<TWidth, TVector, TAlpha>(ref a, 0, alpha), bk, s0);
            s1 = TWidth.MultiplyAdd(Broadcast<TWidth, TVector, TAlpha>(ref a, a1, alpha), bk, s1);
            s2 = TWidth.MultiplyAdd(Broadcast<TWidth, TVector, TAlpha>(ref a, a2, alpha), bk, s2);
            s3 = TWidth.MultiplyAdd(Broadcast<TWidth, TVector, TAlpha>(ref a, a3, alpha), bk, s3);
            if (TRows.Eight)
            {
                s4 = TWidth.MultiplyAdd(Broadcast<TWidth, TVector, TAlpha>(ref a, a4, alpha), bk, s4);
                s5 = TWidth.MultiplyAdd(Broadcast<TWidth, TVector, TAlpha>(ref a, a5, alpha), bk, s5);
                s6 = TWidth.MultiplyAdd(Broadcast<TWidth, TVector, TAlpha>(ref a, a6, alpha), bk, s6);
                s7 = TWidth.MultiplyAdd(Broadcast<TWidth, TVector, TAlpha>(ref a, a7, alpha), bk, s7);
            }
            a = ref Unsafe.Add(ref a, aStep);
            b = ref Unsafe.Add(ref b, bStep);
        }
        TWidth.Store(s0, ref c, 0); TWidth.Store(s1, ref c, c1); TWidth.Store(s2, ref c, c2); TWidth.Store(s3, ref c, c3);
        if (TRows.Eight)
        {
            TWidth.Store(s4, ref c, c4); TWidth.Store(s5, ref c, c5); TWidth.Store(s6, ref c, c6); TWidth.Store(s7, ref c, c7);
        }
    }

    private static void Block1x4<TWidth, TVector, TAlpha>(ref float a, ref float b, ref float c, Steps steps, int depth, float alpha)
        where TWidth : struct, ISimdWidth<TVector>
        where TVector : struct
        where TAlpha : struct, IAlpha
    {
        nint w = TWidth.Count, aStep = steps.AColumn, bStep = steps.BRow;
        TVector s0 = TWidth.Load(ref c, 0), s1 = TWidth.Load(ref c, w), s2 = TWidth.Load(ref c, 2 * w), s3 = TWidth.Load(ref c, 3 * w);
        for (int k = 0; k < depth; k++)
        {
            TVector x0 = Broadcast<TWidth, TVector, TAlpha>(ref a, 0, alpha);
            s0 = TWidth.MultiplyAdd(x0, TWidth.Load(ref b, 0), s0);
            s1 = TWidth.MultiplyAdd(x0, TWidth.Load(ref b, w), s1);
            s2 = TWidth.MultiplyAdd(x0, TWidth.Load(ref b, 2 * w), s2);
            s3 = TWidth.MultiplyAdd(x0, TWidth.Load(ref b, 3 * w), s3);
            a = ref Unsafe.Add(ref a, aStep);
            b = ref Unsafe.Add(ref b, bStep);
        }
        TWidth.Store(s0, ref c, 0); TWidth.Store(s1, ref c, w); TWidth.Store(s2, ref c, 2 * w); TWidth.Store(s3, ref c, 3 * w);
    }
}

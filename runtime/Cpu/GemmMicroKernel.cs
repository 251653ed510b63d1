using System.Runtime.CompilerServices;

namespace KernelGen;

/// <summary>
/// The register block of <see cref="MatrixMultiply"/>: a tile of <see cref="Rows"/> rows × 4 vectors of C kept in
/// 24 registers while <see cref="Rows"/> rows of A (read in place) and a packed B panel stream past, one rank-1 update
/// per step of the depth. Written once over <see cref="ISimdWidth{TVector}"/>; 24 accumulators + 4 B vectors + 1
/// broadcast fit the 32 vector registers of AVX-512. With 16 (AVX2 without AVX-512) they spilled, and the tile runs as
/// its two halves of 2 vectors in turn instead (12 accumulators each): 4096 × 384 × 384 on the 256-bit path went from
/// 51–68 to 90–101 GFLOP/s, as fast as the whole tile where 32 registers hold it (94–105; AVX-512 switched off and on).
/// </summary>
internal static unsafe class GemmMicroKernel<TWidth, TVector>
    where TWidth : struct, ISimdWidth<TVector>
    where TVector : struct
{
    /// <summary>Rows of C per tile.</summary>
    public const int Rows = 6;

    /// <summary>Columns of C per tile: four vectors.</summary>
    public static int Columns => 4 * TWidth.Count;

    /// <summary>
    /// C tile = start + Σₚ A[·, p] ⊗ B[p, ·] over p &lt; <paramref name="depth"/>, summed in order of p with one
    /// multiply-add per step, where start is the row vector <paramref name="initial"/> (bias or zeros) in every row
    /// when it is not null, else the tile's current contents. Row r of A starts at <paramref name="a"/> + r ·
    /// <paramref name="aStride"/>; <paramref name="b"/> holds the panel p-major (<see cref="Columns"/> floats per p).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Update(float* a, nint aStride, float* b, int depth, float* c, nint cStride, float* initial)
    {
        // A constant to the JIT: each machine compiles one branch. Each element of C is summed over p in the same
        // order either way, so both give the same bits.
        if (VectorRegisters.ThirtyTwo)
        {
            Tile<FourVectors>(a, aStride, b, depth, c, cStride, initial);
            return;
        }
        nint w = TWidth.Count;
        Tile<TwoVectors>(a, aStride, b, depth, c, cStride, initial);
        Tile<TwoVectors>(a, aStride, b + 2 * w, depth, c + 2 * w, cStride, initial == null ? null : initial + 2 * w);
    }

    private interface IVectorCount
    {
        static abstract bool Four { get; }
    }

    private readonly struct FourVectors : IVectorCount
    {
        public static bool Four => true;
    }

    private readonly struct TwoVectors : IVectorCount
    {
        public static bool Four => false;
    }

    /// <summary>
    /// The first 4 (or 2) vectors of the tile at <paramref name="c"/>, from a panel of 4 vectors per step of the depth.
    /// The vector count is a type, so the two-vector instance has no code for the other two.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile<TColumns>(float* a, nint aStride, float* b, int depth, float* c, nint cStride, float* initial)
        where TColumns : struct, IVectorCount
    {
        nint w = TWidth.Count;
        TVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        TVector c02 = default, c03 = default, c12 = default, c13 = default, c22 = default, c23 = default;
        TVector c32 = default, c33 = default, c42 = default, c43 = default, c52 = default, c53 = default;
        if (initial != null)
        {
            c00 = c10 = c20 = c30 = c40 = c50 = TWidth.Load(ref *initial, 0);
            c01 = c11 = c21 = c31 = c41 = c51 = TWidth.Load(ref *initial, w);
            if (TColumns.Four)
            {
                c02 = c12 = c22 = c32 = c42 = c52 = TWidth.Load(ref *initial, 2 * w);
                c03 = c13 = c23 = c33 = c43 = c53 = TWidth.Load(ref *initial, 3 * w);
            }
        }
        else
        {
            ref float r0 = ref *c, r1 = ref *(c + cStride), r2 = ref *(c + 2 * cStride);
            ref float r3 = ref *(c + 3 * cStride), r4 = ref *(c + 4 * cStride), r5 = ref *(c + 5 * cStride);
            c00 = TWidth.Load(ref r0, 0); c01 = TWidth.Load(ref r0, w); c10 = TWidth.Load(ref r1, 0); c11 = TWidth.Load(ref r1, w);
            c20 = TWidth.Load(ref r2, 0); c21 = TWidth.Load(ref r2, w); c30 = TWidth.Load(ref r3, 0); c31 = TWidth.Load(ref r3, w);
            c40 = TWidth.Load(ref r4, 0); c41 = TWidth.Load(ref r4, w); c50 = TWidth.Load(ref r5, 0); c51 = TWidth.Load(ref r5, w);
            if (TColumns.Four)
            {
                c02 = TWidth.Load(ref r0, 2 * w); c03 = TWidth.Load(ref r0, 3 * w); c12 = TWidth.Load(ref r1, 2 * w); c13 = TWidth.Load(ref r1, 3 * w);
                c22 = TWidth.Load(ref r2, 2 * w); c23 = TWidth.Load(ref r2, 3 * w); c32 = TWidth.Load(ref r3, 2 * w); c33 = TWidth.Load(ref r3, 3 * w);
                c42 = TWidth.Load(ref r4, 2 * w); c43 = TWidth.Load(ref r4, 3 * w); c52 = TWidth.Load(ref r5, 2 * w); c53 = TWidth.Load(ref r5, 3 * w);
            }
        }

        // One base pointer per row and a shared index: every broadcast is [row + 4·p], with no per-row increment.
        float* a0 = a, a1 = a0 + aStride, a2 = a1 + aStride, a3 = a2 + aStride, a4 = a3 + aStride, a5 = a4 + aStride;
        for (nint p = 0; p < depth; p++)
        {
            TVector b0 = TWidth.Load(ref *b, 0), b1 = TWidth.Load(ref *b, w);
            TVector b2 = TColumns.Four ? TWidth.Load(ref *b, 2 * w) : default, b3 = TColumns.Four ? TWidth.Load(ref *b, 3 * w) : default;
            TVector x = TWidth.Broadcast(a0[p]);
            c00 = TWidth.MultiplyAdd(x, b0, c00); c01 = TWidth.MultiplyAdd(x, b1, c01);
            if (TColumns.Four) { c02 = TWidth.MultiplyAdd(x, b2, c02); c03 = TWidth.MultiplyAdd(x, b3, c03); }
            x = TWidth.Broadcast(a1[p]);
            c10 = TWidth.MultiplyAdd(x, b0, c10); c11 = TWidth.MultiplyAdd(x, b1, c11);
            if (TColumns.Four) { c12 = TWidth.MultiplyAdd(x, b2, c12); c13 = TWidth.MultiplyAdd(x, b3, c13); }
            x = TWidth.Broadcast(a2[p]);
            c20 = TWidth.MultiplyAdd(x, b0, c20); c21 = TWidth.MultiplyAdd(x, b1, c21);
            if (TColumns.Four) { c22 = TWidth.MultiplyAdd(x, b2, c22); c23 = TWidth.MultiplyAdd(x, b3, c23); }
            x = TWidth.Broadcast(a3[p]);
            c30 = TWidth.MultiplyAdd(x, b0, c30); c31 = TWidth.MultiplyAdd(x, b1, c31);
            if (TColumns.Four) { c32 = TWidth.MultiplyAdd(x, b2, c32); c33 = TWidth.MultiplyAdd(x, b3, c33); }
            x = TWidth.Broadcast(a4[p]);
            c40 = TWidth.MultiplyAdd(x, b0, c40); c41 = TWidth.MultiplyAdd(x, b1, c41);
            if (TColumns.Four) { c42 = TWidth.MultiplyAdd(x, b2, c42); c43 = TWidth.MultiplyAdd(x, b3, c43); }
            x = TWidth.Broadcast(a5[p]);
            c50 = TWidth.MultiplyAdd(x, b0, c50); c51 = TWidth.MultiplyAdd(x, b1, c51);
            if (TColumns.Four) { c52 = TWidth.MultiplyAdd(x, b2, c52); c53 = TWidth.MultiplyAdd(x, b3, c53); }
            b += 4 * w;
        }

        ref float o0 = ref *c, o1 = ref *(c + cStride), o2 = ref *(c + 2 * cStride);
        ref float o3 = ref *(c + 3 * cStride), o4 = ref *(c + 4 * cStride), o5 = ref *(c + 5 * cStride);
        TWidth.Store(c00, ref o0, 0); TWidth.Store(c01, ref o0, w); TWidth.Store(c10, ref o1, 0); TWidth.Store(c11, ref o1, w);
        TWidth.Store(c20, ref o2, 0); TWidth.Store(c21, ref o2, w); TWidth.Store(c30, ref o3, 0); TWidth.Store(c31, ref o3, w);
        TWidth.Store(c40, ref o4, 0); TWidth.Store(c41, ref o4, w); TWidth.Store(c50, ref o5, 0); TWidth.Store(c51, ref o5, w);
        if (TColumns.Four)
        {
            TWidth.Store(c02, ref o0, 2 * w); TWidth.Store(c03, ref o0, 3 * w); TWidth.Store(c12, ref o1, 2 * w); TWidth.Store(c13, ref o1, 3 * w);
            TWidth.Store(c22, ref o2, 2 * w); TWidth.Store(c23, ref o2, 3 * w); TWidth.Store(c32, ref o3, 2 * w); TWidth.Store(c33, ref o3, 3 * w);
            TWidth.Store(c42, ref o4, 2 * w); TWidth.Store(c43, ref o4, 3 * w); TWidth.Store(c52, ref o5, 2 * w); TWidth.Store(c53, ref o5, 3 * w);
        }
    }
}

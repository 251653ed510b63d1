using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace KernelGen;

/// <summary>
/// The kernels of chunked linear attention, for a chunk of up to <see cref="Rows"/> query rows held transposed (φ(Q)ᵀ,
/// one column per row): the state update S += φ(K)ᵀV, z += Σ φ(k) (<see cref="AddKeys"/>); the state's part of each
/// row's denominator (<see cref="Denominators"/>); the weights of the edge keys (keys some of its rows see and others
/// do not), masked in registers (<see cref="EdgeWeights"/>); and the output, where the read-out φ(q)ᵀS, the edge keys'
/// weighted values and the division by the denominator are one register block per 4 rows, each block only as deep as
/// its rows see (<see cref="Output"/>). Written once over <see cref="ISimdWidth{TVector}"/>.
/// </summary>
/// <remarks>
/// Layout, so that one block runs over the state and both edges without a break: A = [W₁ᵀ; φ(Q)ᵀ; W₂ᵀ], rows of
/// <see cref="Rows"/> floats, <see cref="Rows"/> + headDim + <see cref="Rows"/> deep; B = [V₁; S], rows of the head
/// dimension, <see cref="Rows"/> + headDim deep, then the end edge's value rows where they lie. The start edge's rows
/// (W₁ᵀ, V₁) end where φ(Q)ᵀ and S begin. Apart from the read-out, the edges' products ran at 60–85% of the FMA peak on
/// their small shapes, and took a quarter of the kernel's time (causal, N = 16384, D = 64).
/// </remarks>
// Every kernel here is compiled optimized from its first call (AggressiveOptimization) rather than first as
// unoptimized code that the JIT replaces later: the first call of causal linear attention at N = 16384 took 166–174 ms
// against 427–431 through the tiers (harness, tiered compilation on); later calls ran the same.
public static class LinearChunk
{
    /// <summary>Query rows per chunk, and the most keys of one edge.</summary>
    public const int Rows = 16;

    /// <summary>
    /// S += sign · φ(K)ᵀV and z += sign · Σⱼ φ(k_j) over keyCount ≤ <see cref="Rows"/> keys, sign 1 or −1: phiKeys holds
    /// φ of the keys and values their value rows, both rows of headDim; state (S) is headDim × headDim, normalizer (z)
    /// headDim. <paramref name="prefetch"/> is split over the register blocks of S and one part fetched before each; with
    /// no keys it is left as it is, for the next call.
    /// </summary>
    /// <remarks>
    /// A subtraction negates S's block as it is loaded and stored rather than every key's element: −(−S + x·v) rounds
    /// exactly as S − x·v would.
    /// </remarks>
    /// <exception cref="ArgumentException">More keys than <see cref="Rows"/>, a sign other than ±1, or a span too short.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddKeys<TWidth, TVector, THeadDim>(ReadOnlySpan<float> phiKeys, ReadOnlySpan<float> values, int keyCount, float sign,
        Span<float> state, Span<float> normalizer, scoped ref PrefetchRegions prefetch)
        where TWidth : struct, ISimdWidth<TVector>
        where TVector : struct
        where THeadDim : struct, IHeadDimension
    {
        int headDim = THeadDim.Value;
        RequireKeyCount(keyCount);
        if (sign is not (1f or -1f))
            throw new ArgumentException($"sign ({sign}) must be 1 or -1.", nameof(sign));
        if (phiKeys.Length < keyCount * headDim || values.Length < keyCount * headDim || state.Length < headDim * headDim
            || normalizer.Length < headDim || headDim % TWidth.Count != 0)
            throw new ArgumentException($"phiKeys and values must hold {keyCount} rows of {headDim}, state {headDim} × {headDim} and normalizer {headDim}, and headDim be a multiple of {TWidth.Count}.", nameof(state));
        if (keyCount == 0)
            return;
        ref float keys = ref MemoryMarshal.GetReference(phiKeys);
        ref float rv = ref MemoryMarshal.GetReference(values);
        ref float rs = ref MemoryMarshal.GetReference(state);
        ref float z = ref MemoryMarshal.GetReference(normalizer);
        if (sign > 0)
            AddSigned<TWidth, TVector, THeadDim, Plus>(ref keys, ref rv, keyCount, ref rs, ref z, ref prefetch);
        else
            AddSigned<TWidth, TVector, THeadDim, Minus>(ref keys, ref rv, keyCount, ref rs, ref z, ref prefetch);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddSigned<TWidth, TVector, THeadDim, TSign>(ref float keys, ref float values, int keyCount, ref float state, ref float z,
        scoped ref PrefetchRegions prefetch)
        where TWidth : struct, ISimdWidth<TVector>
        where TVector : struct
        where THeadDim : struct, IHeadDimension
        where TSign : struct, ISign
    {
        int headDim = THeadDim.Value, w = TWidth.Count;
        int columnBlocks = VectorRegisters.ThirtyTwo ? headDim / (4 * w) + headDim % (4 * w) / (2 * w) + headDim % (2 * w) / w
            : headDim / (2 * w) + headDim % (2 * w) / w;
        prefetch.Split(headDim / 4 * columnBlocks);
        // Four rows of S (four dimensions of the keys) by one, two or four vectors, over all the keys; the register
        // blocks as in Output.
        for (int d0 = 0; d0 < headDim; d0 += 4)
        {
            ref float dimensions = ref Unsafe.Add(ref keys, d0);
            ref float rows = ref Unsafe.Add(ref state, d0 * headDim);
            int j = 0;
            if (VectorRegisters.ThirtyTwo)
                for (; j + 4 * w <= headDim; j += 4 * w)
                {
                    prefetch.FetchPart();
                    StateBlock<TWidth, TVector, THeadDim, FourColumns, TSign>(ref dimensions, ref Unsafe.Add(ref values, j), ref Unsafe.Add(ref rows, j), keyCount);
                }
            for (; j + 2 * w <= headDim; j += 2 * w)
            {
                prefetch.FetchPart();
                StateBlock<TWidth, TVector, THeadDim, TwoColumns, TSign>(ref dimensions, ref Unsafe.Add(ref values, j), ref Unsafe.Add(ref rows, j), keyCount);
            }
            if (j < headDim)
            {
                prefetch.FetchPart();
                StateBlock<TWidth, TVector, THeadDim, OneColumn, TSign>(ref dimensions, ref Unsafe.Add(ref values, j), ref Unsafe.Add(ref rows, j), keyCount);
            }
        }

        // z, four vectors of dimensions at a time (four chains of adds in flight), summed over the keys in order.
        int d = 0;
        for (; d + 4 * w <= headDim; d += 4 * w)
            SumKeys<TWidth, TVector, THeadDim, FourColumns, TSign>(ref Unsafe.Add(ref keys, d), ref Unsafe.Add(ref z, d), keyCount);
        for (; d < headDim; d += w)
            SumKeys<TWidth, TVector, THeadDim, OneColumn, TSign>(ref Unsafe.Add(ref keys, d), ref Unsafe.Add(ref z, d), keyCount);
    }

    /// <summary>z's one or four vectors from <paramref name="z"/> += the sign times the keys' same columns.</summary>
    // Out of line: inlined into AddSigned beside its register blocks, the JIT kept three of the four sums on the stack,
    // so every add was a reload and a store (16 keys, D = 64, all in L1: AddKeys at 143 GFLOP/s inlined, 180 out of
    // line, against 191 for the state update alone).
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void SumKeys<TWidth, TVector, THeadDim, TColumns, TSign>(ref float keys, ref float z, int keyCount)
        where TWidth : struct, ISimdWidth<TVector>
        where TVector : struct
        where THeadDim : struct, IHeadDimension
        where TColumns : struct, IColumnCount
        where TSign : struct, ISign
    {
        nint w = TWidth.Count;
        bool four = TColumns.Vectors > 2;
        TVector one = TWidth.Broadcast(1f);
        Load<TWidth, TVector, TColumns, TSign>(ref z, out TVector s0, out TVector s1, out TVector s2, out TVector s3);
        for (int k = 0; k < keyCount; k++)
        {
            s0 = TWidth.MultiplyAdd(TWidth.Load(ref keys, 0), one, s0);
            if (four)
            {
                s1 = TWidth.MultiplyAdd(TWidth.Load(ref keys, w), one, s1);
                s2 = TWidth.MultiplyAdd(TWidth.Load(ref keys, 2 * w), one, s2);
                s3 = TWidth.MultiplyAdd(TWidth.Load(ref keys, 3 * w), one, s3);
            }
            keys = ref Unsafe.Add(ref keys, THeadDim.Value);
        }
        Save<TWidth, TVector, TColumns, TSign>(s0, s1, s2, s3, ref z);
    }

    /// <summary>
    /// denominators[r] = z·φ(q_r) for the <see cref="Rows"/> columns of φ(Q)ᵀ (headDim rows of <see cref="Rows"/>): the
    /// state's part of each row's denominator, the edges' parts added by <see cref="EdgeWeights"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A span is too short for headDim and Rows.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Denominators<TWidth, TVector, THeadDim>(ReadOnlySpan<float> normalizer, ReadOnlySpan<float> phiQT, Span<float> denominators)
        where TWidth : struct, ISimdWidth<TVector>
        where TVector : struct
        where THeadDim : struct, IHeadDimension
    {
        int headDim = THeadDim.Value;
        if (normalizer.Length < headDim || phiQT.Length < headDim * Rows || denominators.Length < Rows)
            throw new ArgumentException("normalizer, phiQT or denominators is too short for headDim and Rows.", nameof(phiQT));
        ref float z = ref MemoryMarshal.GetReference(normalizer);
        ref float queries = ref MemoryMarshal.GetReference(phiQT);
        for (int column = 0; column < Rows; column += TWidth.Count)
        {
            // Four sums over alternate depths, so four FMA chains run at once rather than one.
            TVector zero = TWidth.Broadcast(0f), s0 = zero, s1 = zero, s2 = zero, s3 = zero;
            ref float q = ref Unsafe.Add(ref queries, column);
            int d = 0;
            for (; d + 4 <= headDim; d += 4)
            {
                s0 = TWidth.MultiplyAdd(TWidth.Broadcast(Unsafe.Add(ref z, d)), TWidth.Load(ref q, d * Rows), s0);
                s1 = TWidth.MultiplyAdd(TWidth.Broadcast(Unsafe.Add(ref z, d + 1)), TWidth.Load(ref q, (d + 1) * Rows), s1);
                s2 = TWidth.MultiplyAdd(TWidth.Broadcast(Unsafe.Add(ref z, d + 2)), TWidth.Load(ref q, (d + 2) * Rows), s2);
                s3 = TWidth.MultiplyAdd(TWidth.Broadcast(Unsafe.Add(ref z, d + 3)), TWidth.Load(ref q, (d + 3) * Rows), s3);
            }
            for (; d < headDim; d++)
                s0 = TWidth.MultiplyAdd(TWidth.Broadcast(Unsafe.Add(ref z, d)), TWidth.Load(ref q, d * Rows), s0);
            TVector one = TWidth.Broadcast(1f);
            TWidth.Store(TWidth.MultiplyAdd(TWidth.MultiplyAdd(s3, one, s2), one, TWidth.MultiplyAdd(s1, one, s0)), ref MemoryMarshal.GetReference(denominators), column);
        }
    }

    /// <summary>
    /// weights[j·Rows + r] = φ(k_j)·φ(q_r) for the keys firstKey + j (j &lt; keyCount) and the rows r &lt; rows that
    /// see them (starts[r] ≤ key &lt; ends[r]), exactly 0 for the rows that do not; each row's sum over the keys is
    /// added to denominators[r]. phiKeys holds φ of the keys in its first keyCount rows of headDim, and has
    /// <see cref="Rows"/> rows: the rest are read and their weights dropped, so that every key of a block is a fixed
    /// stride away. phiQT is φ(Q)ᵀ, headDim rows of <see cref="Rows"/> (columns past the chunk's rows are read and masked).
    /// </summary>
    /// <exception cref="ArgumentException">More keys than <see cref="Rows"/>, or a span too short for the shapes.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void EdgeWeights<TWidth, TVector, THeadDim>(ReadOnlySpan<float> phiKeys, int keyCount, ReadOnlySpan<float> phiQT,
        ReadOnlySpan<int> starts, ReadOnlySpan<int> ends, int rows, int firstKey, Span<float> weights, Span<float> denominators)
        where TWidth : struct, ISimdWidth<TVector>
        where TVector : struct
        where THeadDim : struct, IHeadDimension
    {
        int headDim = THeadDim.Value;
        RequireKeyCount(keyCount);
        if (keyCount == 0)
            return;
        if ((uint)rows > Rows || starts.Length < rows || ends.Length < rows)
            throw new ArgumentException($"rows ({rows}) must lie in [0, {Rows}] and starts and ends must hold them.", nameof(rows));
        if (phiKeys.Length < Rows * headDim || phiQT.Length < headDim * Rows || weights.Length < keyCount * Rows || denominators.Length < Rows)
            throw new ArgumentException("phiKeys, phiQT, weights or denominators is too short for keyCount, headDim and Rows.", nameof(weights));

        // Each row's visible keys relative to firstKey, as floats: the mask is a compare per lane against the key's
        // index j < keyCount, and converting to float keeps the order, so nothing needs clamping. Rows past the chunk
        // see nothing.
        Span<float> from = stackalloc float[Rows], to = stackalloc float[Rows];
        if (rows == Rows && Vector512.IsHardwareAccelerated)
        {
            RelativeKeys(starts, firstKey, from);
            RelativeKeys(ends, firstKey, to);
        }
        else
            for (int r = 0; r < Rows; r++)
            {
                from[r] = r < rows ? starts[r] - firstKey : 0;
                to[r] = r < rows ? ends[r] - firstKey : 0;
            }
        ref float keys = ref MemoryMarshal.GetReference(phiKeys);
        ref float queries = ref MemoryMarshal.GetReference(phiQT);
        ref float target = ref MemoryMarshal.GetReference(weights);
        ref float sums = ref MemoryMarshal.GetReference(denominators);
        TVector one = TWidth.Broadcast(1f);
        for (int column = 0; column < Rows; column += TWidth.Count)
        {
            var mask = new Mask<TVector>(TWidth.Load(ref from[0], column), TWidth.Load(ref to[0], column));
            TVector denominator = TWidth.Load(ref sums, column);
            // 16 keys at once where 32 registers hold their accumulators: 17 loads per 16 FMAs. With 16 registers, 8.
            if (VectorRegisters.ThirtyTwo)
                denominator = TWidth.MultiplyAdd(KeyBlock<TWidth, TVector, THeadDim, SixteenKeys>(ref keys, 0, keyCount, ref Unsafe.Add(ref queries, column), mask, ref Unsafe.Add(ref target, column)), one, denominator);
            else
                for (int j = 0; j < keyCount; j += 8)
                    denominator = TWidth.MultiplyAdd(KeyBlock<TWidth, TVector, THeadDim, EightKeys>(ref keys, j, keyCount, ref Unsafe.Add(ref queries, column), mask, ref Unsafe.Add(ref target, column)), one, denominator);
            TWidth.Store(denominator, ref sums, column);
        }
    }

    /// <summary>keys[r] − firstKey as floats, for all <see cref="Rows"/> rows (one vector of ints) at once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RelativeKeys(ReadOnlySpan<int> keys, int firstKey, Span<float> relative)
        => Vector512.ConvertToSingle(Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(keys)) - Vector512.Create(firstKey))
            .StoreUnsafe(ref MemoryMarshal.GetReference(relative));

    /// <summary>
    /// Output row r (at output[rowOffsets[r]], headDim floats) = inverse[r] · Σₖ A[k, r] · B[k, :] over the state
    /// (k in [Rows, Rows + headDim)) and the edge keys that row r's block of 4 rows sees: of the start edge's startKeys
    /// keys from startKey (the rows just before the state), those from the block's first row's start; of the end
    /// edge's endKeys keys from endKey (the rows just after it), those before its last row's end. a is
    /// [W₁ᵀ; φ(Q)ᵀ; W₂ᵀ], (2·Rows + headDim) rows of <see cref="Rows"/>; b is [V₁; S], (Rows + headDim) rows of headDim;
    /// endValues holds the end edge's endKeys value rows.
    /// </summary>
    /// <exception cref="ArgumentException">An edge of more than <see cref="Rows"/> keys, or a span too short.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Output<TWidth, TVector, THeadDim>(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> endValues, int startKey, int startKeys,
        int endKey, int endKeys, ReadOnlySpan<int> starts, ReadOnlySpan<int> ends, ReadOnlySpan<float> inverse, int rows,
        Span<float> output, ReadOnlySpan<int> rowOffsets)
        where TWidth : struct, ISimdWidth<TVector>
        where TVector : struct
        where THeadDim : struct, IHeadDimension
    {
        int headDim = THeadDim.Value;
        int depth = 2 * Rows + headDim;
        if ((uint)startKeys > Rows || (uint)endKeys > Rows)
            throw new ArgumentException($"Edges hold at most {Rows} keys, not {startKeys} and {endKeys}.", nameof(startKeys));
        if ((uint)rows > Rows || starts.Length < rows || ends.Length < rows || inverse.Length < rows || rowOffsets.Length < rows)
            throw new ArgumentException($"rows ({rows}) must lie in [0, {Rows}], and starts, ends, inverse and rowOffsets must hold them.", nameof(rows));
        if (a.Length < depth * Rows || b.Length < (Rows + headDim) * headDim || endValues.Length < endKeys * headDim || headDim % TWidth.Count != 0)
            throw new ArgumentException($"a must hold {depth} rows, b {Rows + headDim}, endValues {endKeys}, and headDim ({headDim}) be a multiple of {TWidth.Count}.", nameof(b));
        for (int r = 0; r < rows; r++)
            if (rowOffsets[r] < 0 || (long)rowOffsets[r] + headDim > output.Length)
                throw new ArgumentException($"rowOffsets[{r}] ({rowOffsets[r]}) leaves no room for a row of {headDim} in output ({output.Length}).", nameof(rowOffsets));

        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rb = ref MemoryMarshal.GetReference(b);
        ref float rv = ref MemoryMarshal.GetReference(endValues);
        ref float ro = ref MemoryMarshal.GetReference(output);
        int w = TWidth.Count;
        for (int r0 = 0; r0 < rows; r0 += 4)
        {
            int last = Math.Min(r0 + 4, rows) - 1;
            // The block's rows see the start edge from its first row's start on, and the end edge up to its last row's
            // end; weights outside a row's own keys are 0, so the union serves every row of the block.
            int kFrom = Rows - startKeys + Math.Clamp(starts[r0] - startKey, 0, startKeys);
            var depths = new Depths(Rows + headDim - kFrom, Math.Clamp(ends[last] - endKey, 0, endKeys));
            ref float aBlock = ref Unsafe.Add(ref ra, kFrom * Rows + r0);
            ref float bBlock = ref Unsafe.Add(ref rb, kFrom * headDim);
            var targets = new RowTargets(ref ro, ref Unsafe.AsRef(in rowOffsets[r0]), ref Unsafe.AsRef(in inverse[r0]), last - r0 + 1);
            int j = 0;
            if (VectorRegisters.ThirtyTwo)
                for (; j + 4 * w <= headDim; j += 4 * w)
                    Block<TWidth, TVector, THeadDim, FourColumns>(ref aBlock, ref Unsafe.Add(ref bBlock, j), ref Unsafe.Add(ref rv, j), depths, targets, j);
            for (; j + 2 * w <= headDim; j += 2 * w)
                Block<TWidth, TVector, THeadDim, TwoColumns>(ref aBlock, ref Unsafe.Add(ref bBlock, j), ref Unsafe.Add(ref rv, j), depths, targets, j);
            if (j < headDim)
                Block<TWidth, TVector, THeadDim, OneColumn>(ref aBlock, ref Unsafe.Add(ref bBlock, j), ref Unsafe.Add(ref rv, j), depths, targets, j);
        }
    }

    private static void RequireKeyCount(int keyCount)
    {
        if ((uint)keyCount > Rows)
            throw new ArgumentException($"keyCount ({keyCount}) must lie in [0, {Rows}].", nameof(keyCount));
    }

    /// <summary>A block's depth in b (start edge and state), then in the end edge's values.</summary>
    private readonly record struct Depths(int InB, int InEndValues);

    /// <summary>The lanes a key block keeps: from ≤ key &lt; to, per row.</summary>
    private readonly struct Mask<TVector>(TVector from, TVector to)
        where TVector : struct
    {
        public readonly TVector From = from, To = to;
    }

    private interface IKeyCount
    {
        static abstract bool Sixteen { get; }
    }

    private readonly struct EightKeys : IKeyCount
    {
        public static bool Sixteen => false;
    }

    private readonly struct SixteenKeys : IKeyCount
    {
        public static bool Sixteen => true;
    }

    /// <summary>
    /// Keys first … first + 15 (or 7) against one vector of rows: an accumulator per key, φ(Q)ᵀ's row loaded once per
    /// depth step and each key's element broadcast from a constant displacement. Keys past keyCount are computed and
    /// dropped. Returns the kept weights' sum over the keys, per row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static TVector KeyBlock<TWidth, TVector, THeadDim, TKeys>(ref float keys, int first, int keyCount, ref float queries,
        Mask<TVector> mask, ref float target)
        where TWidth : struct, ISimdWidth<TVector>
        where TVector : struct
        where THeadDim : struct, IHeadDimension
        where TKeys : struct, IKeyCount
    {
        nint d1 = THeadDim.Value;
        nint k0 = 0, k1 = d1, k2 = 2 * d1, k3 = 3 * d1, k4 = 4 * d1, k5 = 5 * d1, k6 = 6 * d1, k7 = 7 * d1;
        nint k8 = 8 * d1, k9 = 9 * d1, k10 = 10 * d1, k11 = 11 * d1, k12 = 12 * d1, k13 = 13 * d1, k14 = 14 * d1, k15 = 15 * d1;
        TVector zero = TWidth.Broadcast(0f);
        TVector w0 = zero, w1 = zero, w2 = zero, w3 = zero, w4 = zero, w5 = zero, w6 = zero, w7 = zero;
        TVector w8 = zero, w9 = zero, w10 = zero, w11 = zero, w12 = zero, w13 = zero, w14 = zero, w15 = zero;
        ref float k = ref Unsafe.Add(ref keys, first * d1), q = ref queries;
        for (int d = 0; d < THeadDim.Value; d++)
        {
            TVector x = TWidth.Load(ref q, 0);
            w0 = TWidth.MultiplyAdd(TWidth.Broadcast(Unsafe.Add(ref k, k0)), x, w0);
            w1 = TWidth.MultiplyAdd(TWidth.Broadcast(Unsafe.Add(ref k, k1)), x, w1);
            w2 = TWidth.MultiplyAdd(TWidth.Broadcast(Unsafe.Add(ref k, k2)), x, w2);
            w3 = TWidth.MultiplyAdd(TWidth.Broadcast(Unsafe.Add(ref k, k3)), x, w3);
            w4 = TWidth.MultiplyAdd(TWidth.Broadcast(Unsafe.Add(ref k, k4)), x, w4);
            w5 = TWidth.MultiplyAdd(TWidth.Broadcast(Unsafe.Add(ref k, k5)), x, w5);
            w6 = TWidth.MultiplyAdd(TWidth.Broadcast(Unsafe.Add(ref k, k6)), x, w6);
            w7 = TWidth.MultiplyAdd(TWidth.Broadcast(Unsafe.Add(ref k, k7)), x, w7);
            if (TKeys.Sixteen)
            {
                w8 = TWidth.MultiplyAdd(TWidth.Broadcast(Unsafe.Add(ref k, k8)), x, w8);
                w9 = TWidth.MultiplyAdd(TWidth.Broadcast(Unsafe.Add(ref k, k9)), x, w9);
                w10 = TWidth.MultiplyAdd(TWidth.Broadcast(Unsafe.Add(ref k, k10)), x, w10);
                w11 = TWidth.MultiplyAdd(TWidth.Broadcast(Unsafe.Add(ref k, k11)), x, w11);
                w12 = TWidth.MultiplyAdd(TWidth.Broadcast(Unsafe.Add(ref k, k12)), x, w12);
                w13 = TWidth.MultiplyAdd(TWidth.Broadcast(Unsafe.Add(ref k, k13)), x, w13);
                w14 = TWidth.MultiplyAdd(TWidth.Broadcast(Unsafe.Add(ref k, k14)), x, w14);
                w15 = TWidth.MultiplyAdd(TWidth.Broadcast(Unsafe.Add(ref k, k15)), x, w15);
            }
            k = ref Unsafe.Add(ref k, 1);
            q = ref Unsafe.Add(ref q, Rows);
        }
        // Each key's kept weights are stored, and their sum is a tree of adds returned in a register: added in turn to
        // the denominators through memory, the 16 made one chain of store, reload and FMA per key after the loop
        // (causal, N = 16384, D = 64, harness, alternating runs: 136.6–138.7 → 137.4–142.5 GFLOP/s).
        TVector one = TWidth.Broadcast(1f);
        TVector sum = Sum(Keep<TWidth, TVector>(w0, first, keyCount, mask, ref target), Keep<TWidth, TVector>(w1, first + 1, keyCount, mask, ref target),
            Keep<TWidth, TVector>(w2, first + 2, keyCount, mask, ref target), Keep<TWidth, TVector>(w3, first + 3, keyCount, mask, ref target), one);
        sum = TWidth.MultiplyAdd(Sum(Keep<TWidth, TVector>(w4, first + 4, keyCount, mask, ref target), Keep<TWidth, TVector>(w5, first + 5, keyCount, mask, ref target),
            Keep<TWidth, TVector>(w6, first + 6, keyCount, mask, ref target), Keep<TWidth, TVector>(w7, first + 7, keyCount, mask, ref target), one), one, sum);
        if (TKeys.Sixteen)
        {
            TVector upper = Sum(Keep<TWidth, TVector>(w8, first + 8, keyCount, mask, ref target), Keep<TWidth, TVector>(w9, first + 9, keyCount, mask, ref target),
                Keep<TWidth, TVector>(w10, first + 10, keyCount, mask, ref target), Keep<TWidth, TVector>(w11, first + 11, keyCount, mask, ref target), one);
            upper = TWidth.MultiplyAdd(Sum(Keep<TWidth, TVector>(w12, first + 12, keyCount, mask, ref target), Keep<TWidth, TVector>(w13, first + 13, keyCount, mask, ref target),
                Keep<TWidth, TVector>(w14, first + 14, keyCount, mask, ref target), Keep<TWidth, TVector>(w15, first + 15, keyCount, mask, ref target), one), one, upper);
            sum = TWidth.MultiplyAdd(upper, one, sum);
        }
        return sum;

        static TVector Sum(TVector a, TVector b, TVector c, TVector d, TVector one)
            => TWidth.MultiplyAdd(TWidth.MultiplyAdd(a, one, b), one, TWidth.MultiplyAdd(c, one, d));
    }

    /// <summary>Key j's weights, masked to the rows that see it and stored; zero for a key past keyCount.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector Keep<TWidth, TVector>(TVector weights, int j, int keyCount, Mask<TVector> mask, ref float target)
        where TWidth : struct, ISimdWidth<TVector>
        where TVector : struct
    {
        if (j >= keyCount)
            return TWidth.Broadcast(0f);
        weights = TWidth.KeepWithin(weights, mask.From, mask.To, TWidth.Broadcast(j));
        TWidth.Store(weights, ref target, (nint)j * Rows);
        return weights;
    }

    /// <summary>Where the rows of a register block go (offsets into the output), and what they are divided by.</summary>
    private readonly ref struct RowTargets(ref float output, ref int offsets, ref float inverse, int count)
    {
        private readonly ref float output = ref output;
        private readonly ref int offsets = ref offsets;
        private readonly ref float inverse = ref inverse;
        public readonly int Count = count;

        public ref float Row(int i) => ref Unsafe.Add(ref output, Unsafe.Add(ref offsets, i));

        public float Scale(int i) => Unsafe.Add(ref inverse, i);
    }

    private interface IColumnCount
    {
        static abstract int Vectors { get; }
    }

    private readonly struct OneColumn : IColumnCount
    {
        public static int Vectors => 1;
    }

    private readonly struct TwoColumns : IColumnCount
    {
        public static int Vectors => 2;
    }

    private readonly struct FourColumns : IColumnCount
    {
        public static int Vectors => 4;
    }

    /// <summary>
    /// Four rows (A's columns r0 …) by one, two or four vectors of output from column j: depth steps of A's rows of
    /// <see cref="Rows"/> and B's rows of headDim, then each row scaled and stored. A's columns past the chunk's last
    /// row (masked weights of 0, cleared φ(Q)ᵀ columns that φ made 1) are computed, and their results not stored.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block<TWidth, TVector, THeadDim, TColumns>(ref float a, ref float b, ref float endValues, Depths depths, RowTargets targets, int j)
        where TWidth : struct, ISimdWidth<TVector>
        where TVector : struct
        where THeadDim : struct, IHeadDimension
        where TColumns : struct, IColumnCount
    {
        nint bStep = THeadDim.Value;
        var s = new Accumulators<TVector>();
        // A's rows run on unbroken; B's switch from the state to the end edge's values where they lie.
        Accumulate<TWidth, TVector, TColumns>(ref s, ref a, Rows, ref b, bStep, depths.InB);
        Accumulate<TWidth, TVector, TColumns>(ref s, ref Unsafe.Add(ref a, (nint)depths.InB * Rows), Rows, ref endValues, bStep, depths.InEndValues);
        // Rows past the chunk's last are computed and not stored.
        Store<TWidth, TVector, TColumns>(s.S00, s.S01, s.S02, s.S03, ref targets.Row(0), targets.Scale(0), j);
        if (targets.Count > 1)
            Store<TWidth, TVector, TColumns>(s.S10, s.S11, s.S12, s.S13, ref targets.Row(1), targets.Scale(1), j);
        if (targets.Count > 2)
            Store<TWidth, TVector, TColumns>(s.S20, s.S21, s.S22, s.S23, ref targets.Row(2), targets.Scale(2), j);
        if (targets.Count > 3)
            Store<TWidth, TVector, TColumns>(s.S30, s.S31, s.S32, s.S33, ref targets.Row(3), targets.Scale(3), j);
    }

    /// <summary>Adding keys (+1) or subtracting them (−1): S's blocks and z are negated as they load and store.</summary>
    private interface ISign
    {
        static abstract TVector Apply<TWidth, TVector>(TVector value)
            where TWidth : struct, ISimdWidth<TVector>
            where TVector : struct;
    }

    private readonly struct Plus : ISign
    {
        public static TVector Apply<TWidth, TVector>(TVector value)
            where TWidth : struct, ISimdWidth<TVector>
            where TVector : struct => value;
    }

    private readonly struct Minus : ISign
    {
        public static TVector Apply<TWidth, TVector>(TVector value)
            where TWidth : struct, ISimdWidth<TVector>
            where TVector : struct => TWidth.MultiplyAdd(value, TWidth.Broadcast(-1f), TWidth.Broadcast(0f));
    }

    /// <summary>
    /// Rows d0 … d0 + 3 of S (<paramref name="keys"/> at φ(k₀)[d0]) by one, two or four vectors from one column (values
    /// and state at that column), each key's products added.
    /// </summary>
    // Inlined, as Block is: called once per register block, they held causal linear attention (N = 16384, D = 64,
    // harness, medians of alternating runs) at 96.7 GFLOP/s against 102.0 inlined, and the 256-bit path at 60.1 against 62.1.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StateBlock<TWidth, TVector, THeadDim, TColumns, TSign>(ref float keys, ref float values, ref float state, int keyCount)
        where TWidth : struct, ISimdWidth<TVector>
        where TVector : struct
        where THeadDim : struct, IHeadDimension
        where TColumns : struct, IColumnCount
        where TSign : struct, ISign
    {
        nint row = THeadDim.Value;
        var s = new Accumulators<TVector>();
        Load<TWidth, TVector, TColumns, TSign>(ref state, out s.S00, out s.S01, out s.S02, out s.S03);
        Load<TWidth, TVector, TColumns, TSign>(ref Unsafe.Add(ref state, row), out s.S10, out s.S11, out s.S12, out s.S13);
        Load<TWidth, TVector, TColumns, TSign>(ref Unsafe.Add(ref state, 2 * row), out s.S20, out s.S21, out s.S22, out s.S23);
        Load<TWidth, TVector, TColumns, TSign>(ref Unsafe.Add(ref state, 3 * row), out s.S30, out s.S31, out s.S32, out s.S33);
        Accumulate<TWidth, TVector, TColumns>(ref s, ref keys, row, ref values, row, keyCount);
        Save<TWidth, TVector, TColumns, TSign>(s.S00, s.S01, s.S02, s.S03, ref state);
        Save<TWidth, TVector, TColumns, TSign>(s.S10, s.S11, s.S12, s.S13, ref Unsafe.Add(ref state, row));
        Save<TWidth, TVector, TColumns, TSign>(s.S20, s.S21, s.S22, s.S23, ref Unsafe.Add(ref state, 2 * row));
        Save<TWidth, TVector, TColumns, TSign>(s.S30, s.S31, s.S32, s.S33, ref Unsafe.Add(ref state, 3 * row));
    }

    /// <summary>A 4-row register block's accumulators, row by vector; a block one or two vectors wide leaves the rest zero.</summary>
    private struct Accumulators<TVector>
        where TVector : struct
    {
        public TVector S00, S01, S02, S03, S10, S11, S12, S13, S20, S21, S22, S23, S30, S31, S32, S33;
    }

    /// <summary>
    /// <paramref name="depth"/> steps of a 4-row block (the output's and the state update's): step k adds A's four
    /// elements (next to one another, broadcast) times B's one, two or four vectors to the rows' accumulators; A moves
    /// aStep floats a step and B bStep.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate<TWidth, TVector, TColumns>(ref Accumulators<TVector> s, ref float a, nint aStep, ref float b, nint bStep, int depth)
        where TWidth : struct, ISimdWidth<TVector>
        where TVector : struct
        where TColumns : struct, IColumnCount
    {
        nint w = TWidth.Count;
        bool two = TColumns.Vectors > 1, four = TColumns.Vectors > 2;
        TVector b1 = default, b2 = default, b3 = default;
        for (int k = 0; k < depth; k++)
        {
            TVector b0 = TWidth.Load(ref b, 0);
            if (two)
                b1 = TWidth.Load(ref b, w);
            if (four)
            {
                b2 = TWidth.Load(ref b, 2 * w);
                b3 = TWidth.Load(ref b, 3 * w);
            }
            TVector x = TWidth.Broadcast(a);
            s.S00 = TWidth.MultiplyAdd(x, b0, s.S00);
            if (two) s.S01 = TWidth.MultiplyAdd(x, b1, s.S01);
            if (four) { s.S02 = TWidth.MultiplyAdd(x, b2, s.S02); s.S03 = TWidth.MultiplyAdd(x, b3, s.S03); }
            x = TWidth.Broadcast(Unsafe.Add(ref a, 1));
            s.S10 = TWidth.MultiplyAdd(x, b0, s.S10);
            if (two) s.S11 = TWidth.MultiplyAdd(x, b1, s.S11);
            if (four) { s.S12 = TWidth.MultiplyAdd(x, b2, s.S12); s.S13 = TWidth.MultiplyAdd(x, b3, s.S13); }
            x = TWidth.Broadcast(Unsafe.Add(ref a, 2));
            s.S20 = TWidth.MultiplyAdd(x, b0, s.S20);
            if (two) s.S21 = TWidth.MultiplyAdd(x, b1, s.S21);
            if (four) { s.S22 = TWidth.MultiplyAdd(x, b2, s.S22); s.S23 = TWidth.MultiplyAdd(x, b3, s.S23); }
            x = TWidth.Broadcast(Unsafe.Add(ref a, 3));
            s.S30 = TWidth.MultiplyAdd(x, b0, s.S30);
            if (two) s.S31 = TWidth.MultiplyAdd(x, b1, s.S31);
            if (four) { s.S32 = TWidth.MultiplyAdd(x, b2, s.S32); s.S33 = TWidth.MultiplyAdd(x, b3, s.S33); }
            a = ref Unsafe.Add(ref a, aStep);
            b = ref Unsafe.Add(ref b, bStep);
        }
    }

    /// <summary>One, two or four vectors of a row from its start, negated when subtracting (the rest zero).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Load<TWidth, TVector, TColumns, TSign>(ref float source, out TVector s0, out TVector s1, out TVector s2, out TVector s3)
        where TWidth : struct, ISimdWidth<TVector>
        where TVector : struct
        where TColumns : struct, IColumnCount
        where TSign : struct, ISign
    {
        nint w = TWidth.Count;
        s0 = Load<TWidth, TVector, TSign>(ref source, 0);
        s1 = TColumns.Vectors > 1 ? Load<TWidth, TVector, TSign>(ref source, w) : default;
        s2 = TColumns.Vectors > 2 ? Load<TWidth, TVector, TSign>(ref source, 2 * w) : default;
        s3 = TColumns.Vectors > 2 ? Load<TWidth, TVector, TSign>(ref source, 3 * w) : default;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector Load<TWidth, TVector, TSign>(ref float source, nint offset)
        where TWidth : struct, ISimdWidth<TVector>
        where TVector : struct
        where TSign : struct, ISign
        => TSign.Apply<TWidth, TVector>(TWidth.Load(ref source, offset));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Save<TWidth, TVector, TColumns, TSign>(TVector s0, TVector s1, TVector s2, TVector s3, ref float target)
        where TWidth : struct, ISimdWidth<TVector>
        where TVector : struct
        where TColumns : struct, IColumnCount
        where TSign : struct, ISign
    {
        nint w = TWidth.Count;
        TWidth.Store(TSign.Apply<TWidth, TVector>(s0), ref target, 0);
        if (TColumns.Vectors > 1)
            TWidth.Store(TSign.Apply<TWidth, TVector>(s1), ref target, w);
        if (TColumns.Vectors > 2)
        {
            TWidth.Store(TSign.Apply<TWidth, TVector>(s2), ref target, 2 * w);
            TWidth.Store(TSign.Apply<TWidth, TVector>(s3), ref target, 3 * w);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<TWidth, TVector, TColumns>(TVector s0, TVector s1, TVector s2, TVector s3, ref float target, float scale, int j)
        where TWidth : struct, ISimdWidth<TVector>
        where TVector : struct
        where TColumns : struct, IColumnCount
    {
        nint w = TWidth.Count;
        TVector factor = TWidth.Broadcast(scale), zero = TWidth.Broadcast(0f);
        TWidth.Store(TWidth.MultiplyAdd(s0, factor, zero), ref target, j);
        if (TColumns.Vectors > 1)
            TWidth.Store(TWidth.MultiplyAdd(s1, factor, zero), ref target, j + w);
        if (TColumns.Vectors > 2)
        {
            TWidth.Store(TWidth.MultiplyAdd(s2, factor, zero), ref target, j + 2 * w);
            TWidth.Store(TWidth.MultiplyAdd(s3, factor, zero), ref target, j + 3 * w);
        }
    }
}

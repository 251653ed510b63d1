using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KernelGen;

/// <summary>
/// 2^x for vectors of floats, as softmax needs it: x ≤ 0 after the row maximum is subtracted. On AVX-512, 16 floats:
/// x = r + f with r a multiple of 1/16 and |f| ≤ 1/32, 2^(r − ⌊r⌋) from a table of 16 (vpermps), 2^f − 1 a cubic,
/// and 2^⌊r⌋ by vscalefps; relative error ≤ 1.5e-7. 8 floats (and 16 without AVX-512): n = round(x), f = x − n in
/// [−0.5, 0.5], 2^f a degree-6 polynomial (Cephes' exp2f coefficients), 2^n built in the exponent bits; relative error
/// ≤ 2.5e-7 (about 2 ulp). Both for x in [−126, 128), as the tests check against Math.Pow in float64; x &lt; −126
/// gives exactly 0 (so −∞, a masked score, weighs nothing) and NaN stays NaN.
/// </summary>
public static class VectorExp2
{
    private const float C1 = 6.931472028550421E-001f, C2 = 2.402264791363012E-001f, C3 = 5.550332471162809E-002f,
        C4 = 9.618437357674640E-003f, C5 = 1.339887440266574E-003f, C6 = 1.535336188319500E-004f;
    private const float Lowest = -126f;

    /// <summary>1.5·2^19: a float whose last place is 1/16 (the table's step).</summary>
    private const float TableShift = 786432f;

    /// <summary>2^f − 1 ≈ f·(T1 + f·(T2 + f·T3)) for |f| ≤ 1/32: Taylor's ln 2, (ln 2)²/2, (ln 2)³/6; the next term is below 1e-8.</summary>
    private const float T1 = 0.693147181f, T2 = 0.240226507f, T3 = 0.0555041087f;

    /// <summary>2^x for 16 floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp2(Vector512<float> x)
    {
        if (!Avx512F.IsSupported)
            return ByHalves(x);
        // x = r + f with r a multiple of 1/16 and |f| ≤ 1/32, so 2^x = 2^⌊r⌋ · 2^(r − ⌊r⌋) · 2^f: the middle factor is
        // one of 16 table entries picked by vpermps, and 2^f − 1 needs only a cubic. Against the degree-6 polynomial
        // this is two FMA-unit operations fewer per vector (the lookup runs on the shuffle unit): φ of linear attention
        // went from 5.3 to 4.9 cycles per vector (in L1), causal linear attention (N = 16384, D = 64) from 138.6–141.1
        // to 142.1–148.7 GFLOP/s and causal flash D = 64 (N = 4096) from 223.6–224.8 to 227.1–228.1, D = 128 the same
        // (harness, 1 thread, alternating runs).
        // Adding 1.5·2^19 rounds x to a multiple of 1/16 (the sum's last place), and leaves 16·r in the sum's low
        // mantissa bits, two's complement: its low 4 bits are 16·(r − ⌊r⌋), vpermps's index. r = sum − 1.5·2^19 and
        // f = x − r are exact. Valid for |x| < 2^18; below −126 the result is replaced by 0 anyway.
        Vector512<float> sum = x + Vector512.Create(TableShift);
        Vector512<float> r = sum - Vector512.Create(TableShift);
        Vector512<float> f = x - r;
        Vector512<float> q = Vector512.FusedMultiplyAdd(f, Vector512.Create(T3), Vector512.Create(T2));
        q = Vector512.FusedMultiplyAdd(q, f, Vector512.Create(T1));
        Vector512<float> entry = Avx512F.PermuteVar16x32(Vector512.Create(
            1.000000000f, 1.044273734f, 1.090507746f, 1.138788581f, 1.189207077f, 1.241857767f, 1.296839595f, 1.354255557f,
            1.414213538f, 1.476826191f, 1.542210817f, 1.610490322f, 1.681792855f, 1.756252170f, 1.834008098f, 1.915206552f), sum.AsInt32());
        // entry · 2^f = entry + entry · (2^f − 1), one rounding; scaled after, so near x = 128 nothing overflows early.
        Vector512<float> mantissa = Vector512.FusedMultiplyAdd(entry, q * f, entry);
        // "Not less than" is true for NaN, so NaN stays NaN; selecting against zero lets the JIT fold the select into
        // vscalefps (which multiplies by 2^⌊r⌋) as a zeroing mask instead of a blend.
        return Vector512.ConditionalSelect(Avx512F.CompareNotLessThan(x, Vector512.Create(Lowest)), Avx512F.Scale(mantissa, r), Vector512<float>.Zero);
    }

    /// <summary>
    /// Without AVX-512 a Vector512 is two Vector256s anyway: the 8-float form does each half. Kept out of line, so that
    /// the AVX-512 form stays small enough to inline into every softmax.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector512<float> ByHalves(Vector512<float> x) => Vector512.Create(Exp2(x.GetLower()), Exp2(x.GetUpper()));

    /// <summary>2^x for 8 floats: 2^n built in the exponent bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp2(Vector256<float> x)
    {
        // As in the 16-float form: one rounding (vroundps, halves to even) and Horner steps written p·f + c.
        Vector256<float> n = Vector256.Round(x);
        Vector256<float> f = x - n;
        Vector256<float> p = Vector256.FusedMultiplyAdd(f, Vector256.Create(C6), Vector256.Create(C5));
        p = Vector256.FusedMultiplyAdd(p, f, Vector256.Create(C4));
        p = Vector256.FusedMultiplyAdd(p, f, Vector256.Create(C3));
        p = Vector256.FusedMultiplyAdd(p, f, Vector256.Create(C2));
        p = Vector256.FusedMultiplyAdd(p, f, Vector256.Create(C1));
        p = Vector256.FusedMultiplyAdd(p, f, Vector256<float>.One);
        // n is whole and at least −126; where it is NaN or too large the polynomial is NaN or the result is not used
        // (x ≥ 128 is out of range). So the bare truncating conversion serves: Vector256.ConvertToInt32 saturates and
        // maps NaN to 0, four instructions more per vector on AVX2.
        Vector256<float> clamped = Vector256.Max(n, Vector256.Create(Lowest));
        Vector256<int> whole = Avx.IsSupported ? Avx.ConvertToVector256Int32WithTruncation(clamped) : Vector256.ConvertToInt32(clamped);
        Vector256<int> exponent = whole + Vector256.Create(127);
        Vector256<float> result = p * (exponent << 23).AsSingle();
        return Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256.Create(Lowest)), Vector256<float>.Zero, result);
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KernelGen;

/// <summary>
/// 2^x for vectors of floats, as softmax needs it: x ≤ 0 after the row maximum is subtracted.
/// x is split into n = round(x) and f = x − n in [−0.5, 0.5]; 2^f is a degree-6 polynomial (Cephes' exp2f
/// coefficients), and 2^n goes into the exponent bits (vscalefps, on AVX-512). Relative error ≤ 2.5e-7 (about 2 ulp) for x in [−126, 128),
/// as the tests check against Math.Pow in float64; x &lt; −126 gives exactly 0 (so −∞, a masked score, weighs
/// nothing) and NaN stays NaN.
/// </summary>
public static class VectorExp2
{
    private const float C1 = 6.931472028550421E-001f, C2 = 2.402264791363012E-001f, C3 = 5.550332471162809E-002f,
        C4 = 9.618437357674640E-003f, C5 = 1.339887440266574E-003f, C6 = 1.535336188319500E-004f;
    private const float Lowest = -126f;

    /// <summary>2^x for 16 floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp2(Vector512<float> x)
    {
        if (!Avx512F.IsSupported)
            return ByHalves(x);
        // The 8-float form's polynomial in 10 instructions instead of 16: one rounding instead of add and floor, and
        // vscalefps multiplying by 2^n instead of clamp, convert, add, shift and multiply. Rounding halves to even
        // rather than up keeps f in [−0.5, 0.5] all the same.
        Vector512<float> whole = Vector512.Round(x);
        Vector512<float> f = x - whole;
        Vector512<float> p = Vector512.FusedMultiplyAdd(f, Vector512.Create(C6), Vector512.Create(C5));
        p = Vector512.FusedMultiplyAdd(p, f, Vector512.Create(C4));
        p = Vector512.FusedMultiplyAdd(p, f, Vector512.Create(C3));
        p = Vector512.FusedMultiplyAdd(p, f, Vector512.Create(C2));
        p = Vector512.FusedMultiplyAdd(p, f, Vector512.Create(C1));
        p = Vector512.FusedMultiplyAdd(p, f, Vector512<float>.One);
        // Horner steps are written p·f + c, so the JIT updates p in place (as f·p + c it copied f before every step).
        // "Not less than" is true for NaN, so NaN keeps its scaled (NaN) polynomial; selecting against zero lets the
        // JIT fold the select into vscalefps as a zeroing mask instead of a blend.
        return Vector512.ConditionalSelect(Avx512F.CompareNotLessThan(x, Vector512.Create(Lowest)), Avx512F.Scale(p, whole), Vector512<float>.Zero);
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

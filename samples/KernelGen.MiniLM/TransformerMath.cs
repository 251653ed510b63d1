using System;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace KernelGen.MiniLM;

/// <summary>The element-wise parts of a BERT layer, on SIMD vectors: residual sums, LayerNorm and erf-GELU.</summary>
public static class TransformerMath
{
    /// <summary>BERT's LayerNorm ε (the model's <c>layer_norm_eps</c>).</summary>
    public const float LayerNormEpsilon = 1e-12f;

    /// <summary>target[i] += addend[i].</summary>
    public static void AddInPlace(Span<float> target, ReadOnlySpan<float> addend)
    {
        if (addend.Length != target.Length)
            throw new ArgumentException($"addend must hold target.Length = {target.Length} floats, but holds {addend.Length}.", nameof(addend));
        int i = 0;
        for (; i + Vector<float>.Count <= target.Length; i += Vector<float>.Count)
            (new Vector<float>(target[i..]) + new Vector<float>(addend[i..])).CopyTo(target[i..]);
        for (; i < target.Length; i++)
            target[i] += addend[i];
    }

    /// <summary>
    /// LayerNorm of every <paramref name="width"/>-wide row of <paramref name="input"/> into <paramref name="output"/>:
    /// (x − mean) / √(variance + ε) · scale + shift, the variance over the row (biased), as the exported graph computes it.
    /// </summary>
    public static void LayerNorm(ReadOnlySpan<float> input, Span<float> output, int width, ReadOnlySpan<float> scale, ReadOnlySpan<float> shift)
    {
        if (scale.Length != width || shift.Length != width || input.Length % width != 0 || output.Length != input.Length)
            throw new ArgumentException($"LayerNorm needs rows of width {width}, scale and shift of that width, and output as long as input.", nameof(input));
        for (int row = 0; row < input.Length; row += width)
        {
            ReadOnlySpan<float> x = input.Slice(row, width);
            Span<float> y = output.Slice(row, width);
            float mean = Sum(x) / width;
            var centered = new Vector<float>(mean);
            float squares = 0;
            int i = 0;
            for (; i + Vector<float>.Count <= width; i += Vector<float>.Count)
            {
                Vector<float> d = new Vector<float>(x[i..]) - centered;
                squares += Vector.Dot(d, d);
            }
            for (; i < width; i++)
                squares += (x[i] - mean) * (x[i] - mean);
            float inverse = 1f / MathF.Sqrt(squares / width + LayerNormEpsilon);
            i = 0;
            for (; i + Vector<float>.Count <= width; i += Vector<float>.Count)
            {
                Vector<float> normalized = (new Vector<float>(x[i..]) - centered) * inverse;
                (normalized * new Vector<float>(scale[i..]) + new Vector<float>(shift[i..])).CopyTo(y[i..]);
            }
            for (; i < width; i++)
                y[i] = (x[i] - mean) * inverse * scale[i] + shift[i];
        }
    }

    /// <summary>
    /// GELU with the exact erf, x · (1 + erf(x / √2)) / 2, in place. erfc comes from the Chebyshev fit in Numerical
    /// Recipes (relative error below 1.2e-7 in float64; a few 1e-7 absolute in float), so the result is within float
    /// rounding of the exact GELU.
    /// </summary>
    public static void Gelu(Span<float> x)
    {
        ref float start = ref MemoryMarshal.GetReference(x);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + 16 <= x.Length; i += 16)
                Gelu(Vector512.LoadUnsafe(ref start, (nuint)i)).StoreUnsafe(ref start, (nuint)i);
        }
        for (; i < x.Length; i++)
            x[i] = Gelu(x[i]);
    }

    /// <summary>GELU of one float, by the same formula as the vector path.</summary>
    public static float Gelu(float x)
    {
        float z = MathF.Abs(x) * InverseSqrt2;
        float t = 1f / (1f + 0.5f * z);
        float erfc = t * MathF.Exp(-z * z + Polynomial(t));
        float half = 0.5f * x * erfc; // x · erfc(|x|/√2) / 2 is GELU for x < 0, and x minus GELU for x ≥ 0
        return x >= 0 ? x - half : half;
    }

    private const float InverseSqrt2 = 0.70710678f, Log2E = 1.44269504f;

    private static Vector512<float> Gelu(Vector512<float> x)
    {
        Vector512<float> z = Vector512.Abs(x) * Vector512.Create(InverseSqrt2);
        Vector512<float> t = Vector512<float>.One / (Vector512<float>.One + Vector512.Create(0.5f) * z);
        Vector512<float> exponent = -z * z + Polynomial(t);
        Vector512<float> erfc = t * VectorExp2.Exp2(exponent * Vector512.Create(Log2E));
        Vector512<float> half = Vector512.Create(0.5f) * x * erfc;
        return Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(x, Vector512<float>.Zero), x - half, half);
    }

    // −1.26551223 + t·(1.00002368 + t·(0.37409196 + … )): the Chebyshev fit of log(erfc(z)·(1 + z/2)) + z².
    private static float Polynomial(float t)
        => -1.26551223f + t * (1.00002368f + t * (0.37409196f + t * (0.09678418f + t * (-0.18628806f
           + t * (0.27886807f + t * (-1.13520398f + t * (1.48851587f + t * (-0.82215223f + t * 0.17087277f))))))));

    private static Vector512<float> Polynomial(Vector512<float> t)
    {
        Vector512<float> p = Vector512.FusedMultiplyAdd(t, Vector512.Create(0.17087277f), Vector512.Create(-0.82215223f));
        p = Vector512.FusedMultiplyAdd(t, p, Vector512.Create(1.48851587f));
        p = Vector512.FusedMultiplyAdd(t, p, Vector512.Create(-1.13520398f));
        p = Vector512.FusedMultiplyAdd(t, p, Vector512.Create(0.27886807f));
        p = Vector512.FusedMultiplyAdd(t, p, Vector512.Create(-0.18628806f));
        p = Vector512.FusedMultiplyAdd(t, p, Vector512.Create(0.09678418f));
        p = Vector512.FusedMultiplyAdd(t, p, Vector512.Create(0.37409196f));
        p = Vector512.FusedMultiplyAdd(t, p, Vector512.Create(1.00002368f));
        return Vector512.FusedMultiplyAdd(t, p, Vector512.Create(-1.26551223f));
    }

    private static float Sum(ReadOnlySpan<float> x)
    {
        Vector<float> sum = Vector<float>.Zero;
        int i = 0;
        for (; i + Vector<float>.Count <= x.Length; i += Vector<float>.Count)
            sum += new Vector<float>(x[i..]);
        float total = Vector.Sum(sum);
        for (; i < x.Length; i++)
            total += x[i];
        return total;
    }
}

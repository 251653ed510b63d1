using System;
using System.Globalization;
using Xunit;

namespace KernelGen.Runtime.Tests;

/// <summary>The accuracy bounds the kernels are held to, each with its reason, and the checks that apply them.</summary>
internal static class Accuracy
{
    /// <summary>
    /// Softmax: max |out − ref| ≤ 1e-5 against float64, for q, k, v uniform in [−1, 1]. Each output is a convex
    /// combination of v rows (|o| ≤ 1); the kernels accumulate in fp32 over ≤ 256 dimensions and ≤ a few hundred
    /// keys, whose rounding is ~√N·ε ≈ 1e-6 (ε = 2⁻²⁴ ≈ 6e-8). This is PyTorch's fused-vs-math fp32 tolerance
    /// (atol 1e-5) and leaves ~10× headroom (the largest error measured here is ~1e-6), while one wrongly masked or
    /// unmasked key among ≤ 130 moves an output by ~1e-3 or more and a wrong head mapping by ~1e-1.
    /// </summary>
    public const double SoftmaxMaxAbs = 1e-5;

    /// <summary>
    /// Linear: relative RMSE ‖out − ref‖₂ / ‖ref‖₂ ≤ 1e-4 against float64. fla holds its kernels to 1e-3 against a
    /// naive fp32 recurrence; against float64 an fp32 kernel's error is ~√N·ε relative (the weights φ(q)·φ(k) are
    /// positive, so the denominator has no cancellation), ~1e-6 here (the largest measured is ~2e-6): 1e-4 keeps ~50×
    /// headroom, and one wrong key among ≤ 130 moves the output by ~1e-3 relative or more.
    /// </summary>
    public const double LinearRelativeRmse = 1e-4;

    /// <summary>
    /// Log-sum-exp: max |lse − ref| ≤ 1e-5 against float64. lse = m + ln l, where m is the row's largest score
    /// (|m| ≤ ~3 here, rounded to ~ε·|m| ≈ 2e-7) and l = Σ exp(s − m) ≥ 1 carries the exp polynomial's relative error
    /// (≤ 2.5e-7) plus fp32 summation over ≤ a few hundred keys (~√N·ε ≈ 1e-6), which ln turns into the same
    /// absolute error. 1e-5 keeps ~10× headroom; one wrongly masked key among ≤ 130 moves lse by ~1e-2.
    /// </summary>
    public const double LogSumExpMaxAbs = 1e-5;

    /// <summary>Rows that see no key must have lse = −∞ exactly; the others are held to <see cref="LogSumExpMaxAbs"/>.</summary>
    public static void AssertLogSumExp(string label, float[] actual, Float64Result expected)
    {
        Assert.Equal(expected.LogSumExp.Length, actual.Length);
        double worst = 0;
        int worstRow = -1;
        for (int row = 0; row < actual.Length; row++)
        {
            if (expected.EmptyRows[row])
            {
                Assert.True(float.IsNegativeInfinity(actual[row]), $"{label}: row {row} sees no key, so its lse must be −∞, but is {Format(actual[row])}.");
                continue;
            }
            double error = Math.Abs(actual[row] - expected.LogSumExp[row]);
            if (double.IsNaN(error) || error > worst)
            {
                worst = double.IsNaN(error) ? double.PositiveInfinity : error;
                worstRow = row;
            }
        }
        Assert.True(worst <= LogSumExpMaxAbs, worstRow < 0 ? label : $"{label}: max |lse − ref| = {Format(worst)} > {Format(LogSumExpMaxAbs)} at row {worstRow} " +
            $"(lse {Format(actual[worstRow])}, ref {Format(expected.LogSumExp[worstRow])}).");
    }

    /// <summary>
    /// Checks <paramref name="actual"/> against the float64 <paramref name="expected"/> with the bound of its kind.
    /// Rows that see no key must be exactly 0; every element must be finite (a NaN fails every bound).
    /// </summary>
    public static void AssertMatches(string label, AttentionKind kind, float[] actual, Float64Result expected, int headDim)
    {
        AssertEmptyRowsAreZero(label, actual, expected, headDim);
        if (kind == AttentionKind.Softmax)
            AssertMaxAbs(label, actual, expected.Output, SoftmaxMaxAbs);
        else
            AssertRelativeRmse(label, actual, expected.Output, LinearRelativeRmse);
    }

    public static void AssertEmptyRowsAreZero(string label, float[] actual, Float64Result expected, int headDim)
    {
        for (int row = 0; row < expected.EmptyRows.Length; row++)
        {
            if (!expected.EmptyRows[row])
                continue;
            for (int a = 0; a < headDim; a++)
            {
                float value = actual[row * headDim + a];
                Assert.True(value == 0f, $"{label}: row {row} sees no key, so it must be exactly 0, but element {a} is {Format(value)}.");
            }
        }
    }

    public static void AssertMaxAbs(string label, float[] actual, double[] expected, double bound)
    {
        Assert.Equal(expected.Length, actual.Length);
        int worstIndex = -1;
        double worst = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double error = Math.Abs(actual[i] - expected[i]);
            if (double.IsNaN(error) || error > worst)
            {
                worst = double.IsNaN(error) ? double.PositiveInfinity : error;
                worstIndex = i;
            }
        }
        Assert.True(worst <= bound, worstIndex < 0 ? label : $"{label}: max |out − ref| = {Format(worst)} > {Format(bound)} at element {worstIndex} " +
            $"(out {Format(actual[worstIndex])}, ref {Format(expected[worstIndex])}).");
    }

    public static void AssertRelativeRmse(string label, float[] actual, double[] expected, double bound)
    {
        Assert.Equal(expected.Length, actual.Length);
        double errorSquares = 0, referenceSquares = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            Assert.True(float.IsFinite(actual[i]), $"{label}: element {i} is {Format(actual[i])}.");
            double error = actual[i] - expected[i];
            errorSquares += error * error;
            referenceSquares += expected[i] * expected[i];
        }
        Assert.True(referenceSquares > 0, $"{label}: the reference is all zeros, so a relative error says nothing.");
        double relative = Math.Sqrt(errorSquares / referenceSquares);
        Assert.True(relative <= bound, $"{label}: relative RMSE {Format(relative)} > {Format(bound)}.");
    }

    public static string Format(double value) => value.ToString("G4", CultureInfo.InvariantCulture);
}

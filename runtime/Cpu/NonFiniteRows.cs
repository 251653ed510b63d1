using System;
using System.Numerics;
using System.Runtime.InteropServices;

namespace KernelGen;

/// <summary>
/// Finds the non-finite inputs (±∞, NaN) that a running sum must not keep. Sliding-window linear attention adds each
/// key to its state S = Σ φ(k)vᵀ, z = Σ φ(k) when the window reaches it and subtracts it when the window leaves; a
/// non-finite key or value cannot be subtracted again (∞ − ∞ and NaN − NaN are NaN), so the kernels note where the
/// last one is and rebuild the state from the window's keys once the window has left it. Rows that never see it stay
/// finite, as the README's contract says.
/// </summary>
public static class NonFiniteRows
{
    /// <summary>Whether every element of <paramref name="x"/> is finite.</summary>
    public static bool AllFinite(ReadOnlySpan<float> x)
    {
        // x − x is 0 for a finite x and NaN for ±∞ and NaN, which Vector.Equals(…, 0) reports as false.
        ReadOnlySpan<Vector<float>> vectors = MemoryMarshal.Cast<float, Vector<float>>(x);
        foreach (Vector<float> v in vectors)
            if (!Vector.EqualsAll(v - v, Vector<float>.Zero))
                return false;
        for (int i = vectors.Length * Vector<float>.Count; i < x.Length; i++)
            if (!float.IsFinite(x[i]))
                return false;
        return true;
    }

    /// <summary>
    /// One past the last row in [<paramref name="from"/>, <paramref name="to"/>) with a non-finite element in either
    /// matrix (rows of <paramref name="rowLength"/> floats: a key and its value); 0 when every row is finite.
    /// </summary>
    /// <exception cref="ArgumentException">A matrix does not hold row <paramref name="to"/> − 1, or the range is reversed or negative.</exception>
    public static int LastEnd(ReadOnlySpan<float> keys, ReadOnlySpan<float> values, int rowLength, int from, int to)
    {
        if (from < 0 || to < from || rowLength < 0)
            throw new ArgumentException($"rows [{from}, {to}) of {rowLength} floats is not a range.", nameof(from));
        if ((long)to * rowLength > Math.Min(keys.Length, values.Length))
            throw new ArgumentException($"keys ({keys.Length}) and values ({values.Length}) must hold {to} rows of {rowLength} floats.", nameof(keys));
        for (int row = to - 1; row >= from; row--)
            if (!AllFinite(keys.Slice(row * rowLength, rowLength)) || !AllFinite(values.Slice(row * rowLength, rowLength)))
                return row + 1;
        return 0;
    }
}

using System;
using Xunit;

namespace KernelGen.Runtime.Tests;

/// <summary><see cref="NonFiniteRows"/>: each non-finite kind at every position of vector and tail, and its range checks.</summary>
public sealed class NonFiniteRowsTests
{
    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void All_finite_finds_a_non_finite_element_anywhere(float bad)
    {
        // 37 floats: whole vectors of every width, then a tail.
        float[] x = new float[37];
        for (int i = 0; i < x.Length; i++)
            x[i] = i % 2 == 0 ? float.MaxValue : -float.Epsilon;
        Assert.True(NonFiniteRows.AllFinite(x));
        for (int i = 0; i < x.Length; i++)
        {
            float saved = x[i];
            x[i] = bad;
            Assert.False(NonFiniteRows.AllFinite(x), $"{bad} at {i}");
            x[i] = saved;
        }
        Assert.True(NonFiniteRows.AllFinite(ReadOnlySpan<float>.Empty));
    }

    [Fact]
    public void Last_end_is_one_past_the_last_row_with_a_non_finite_key_or_value()
    {
        const int rowLength = 5, rows = 6;
        float[] keys = new float[rows * rowLength], values = new float[rows * rowLength];
        Assert.Equal(0, NonFiniteRows.LastEnd(keys, values, rowLength, 0, rows));
        keys[1 * rowLength + 4] = float.NaN;
        values[3 * rowLength] = float.NegativeInfinity;
        Assert.Equal(4, NonFiniteRows.LastEnd(keys, values, rowLength, 0, rows));
        Assert.Equal(2, NonFiniteRows.LastEnd(keys, values, rowLength, 0, 3));
        Assert.Equal(0, NonFiniteRows.LastEnd(keys, values, rowLength, 4, rows));
        Assert.Equal(0, NonFiniteRows.LastEnd(keys, values, rowLength, 2, 2));
        Assert.Equal("from", Assert.Throws<ArgumentException>(() => NonFiniteRows.LastEnd(keys, values, rowLength, 3, 2)).ParamName);
        Assert.Equal("keys", Assert.Throws<ArgumentException>(() => NonFiniteRows.LastEnd(keys, values.AsSpan(1), rowLength, 0, rows)).ParamName);
    }
}

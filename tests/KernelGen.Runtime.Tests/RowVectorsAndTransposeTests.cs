using System;
using System.Linq;
using System.Runtime.Intrinsics;
using Xunit;

namespace KernelGen.Runtime.Tests;

/// <summary><see cref="RowVectors"/> on every width, and <see cref="SmallMatrix.Transpose"/> element by element.</summary>
public sealed class RowVectorsAndTransposeTests
{
    private const int Length = 48; // a multiple of 16, 8 and 1: three 512-bit vectors

    [Fact]
    public void Row_scaling_is_one_rounding_on_every_width()
    {
        var random = new Random(17);
        float[] x = Enumerable.Range(0, Length).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        Check<Simd512, Vector512<float>>();
        Check<Simd256, Vector256<float>>();
        Check<SimdScalar, float>();

        void Check<TWidth, TVector>() where TWidth : struct, ISimdWidth<TVector> where TVector : struct
        {
            float[] scaled = new float[Length];
            RowVectors.Scale<TWidth, TVector>(x, -0.75f, scaled, Length);
            for (int i = 0; i < Length; i++)
                Assert.Equal(-0.75f * x[i], scaled[i]);
        }
    }

    [Fact]
    public void Row_scaling_rejects_a_length_that_does_not_fit()
    {
        float[] x = new float[32];
        Assert.Equal("length", Assert.Throws<ArgumentException>(() => RowVectors.Scale<Simd512, Vector512<float>>(x, 1f, x, 24)).ParamName);
        Assert.Equal("length", Assert.Throws<ArgumentException>(() => RowVectors.Scale<Simd256, Vector256<float>>(x, 1f, x, 40)).ParamName);
        Assert.Equal("length", Assert.Throws<ArgumentException>(() => RowVectors.Scale<SimdScalar, float>(x, 1f, new float[3], 4)).ParamName);
    }

    [Theory]
    [InlineData(7, 5)]   // fewer than four rows left after the blocks of four
    [InlineData(64, 64)] // a full edge tile
    [InlineData(3, 9)]   // no block of four
    public void Transpose_moves_every_element(int rows, int columns)
    {
        const int sourceStride = 70, targetStride = 80;
        float[] source = Enumerable.Range(0, rows * sourceStride).Select(i => (float)i).ToArray();
        float[] target = Enumerable.Repeat(-1f, columns * targetStride).ToArray();
        SmallMatrix.Transpose(source, sourceStride, rows, columns, target, targetStride);
        for (int j = 0; j < columns; j++)
            for (int i = 0; i < targetStride; i++)
                Assert.Equal(i < rows ? source[i * sourceStride + j] : -1f, target[j * targetStride + i]);
        Assert.Equal("target", Assert.Throws<ArgumentException>(
            () => SmallMatrix.Transpose(source, sourceStride, rows, columns, new float[columns * targetStride - targetStride], targetStride)).ParamName);
    }
}

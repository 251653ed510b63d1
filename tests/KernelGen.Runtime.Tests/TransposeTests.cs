using System;
using System.Linq;
using Xunit;

namespace KernelGen.Runtime.Tests;

/// <summary>
/// <see cref="SmallMatrix.Transpose"/> element by element; with AVX-512 (and again without, as tests/run-all.sh runs
/// this project twice), through its 16 × 16 blocks and the 4 × 4 and single-element code around them.
/// </summary>
public sealed class TransposeTests
{
    [Theory]
    [InlineData(7, 5)]   // fewer than four rows left after the blocks of four
    [InlineData(64, 64)] // a full edge tile
    [InlineData(3, 9)]   // no block of four
    [InlineData(16, 64)] // linear attention's φ(Q)ᵀ: four 16 × 16 blocks
    [InlineData(37, 45)] // 16 × 16 blocks, then the columns past them, then the rows past them
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

using System;
using System.Collections.Generic;
using System.Diagnostics;
using KernelGen;

namespace KernelGen.Benchmarks;

/// <summary>
/// One projection shape of the MiniLM encoder (32 sentences × 128 tokens = 4096 rows): C[m×n] = A[m×k]·B[k×n] + bias,
/// with its inputs, a float64 check of a few rows, and the threads it runs at.
/// </summary>
public sealed class MatMulCase
{
    public required string Name { get; init; }
    public required int M { get; init; }
    public required int K { get; init; }
    public required int N { get; init; }
    public int[] Threads { get; init; } = [1, 2];

    public double Flops => 2.0 * M * K * N;

    public MatMulCase WithThreads(int[] threads) => new() { Name = Name, M = M, K = K, N = N, Threads = threads };

    public float[] A { get; private set; } = [];
    public float[] B { get; private set; } = [];
    public float[] Bias { get; private set; } = [];

    /// <summary>Rows of C checked against float64: first, middle, last.</summary>
    public int[] CheckedRows => [0, M / 2, M - 1];

    /// <summary>Max |C − exact| / (|bias| + Σ|A·B|) over <see cref="CheckedRows"/>, per element.</summary>
    public double RelativeError(float[] c)
    {
        double worst = 0;
        foreach (int i in CheckedRows)
        {
            for (int j = 0; j < N; j++)
            {
                double exact = Bias[j], magnitude = Math.Abs(exact);
                for (int p = 0; p < K; p++)
                {
                    double product = (double)A[(long)i * K + p] * B[(long)p * N + j];
                    exact += product;
                    magnitude += Math.Abs(product);
                }
                worst = Math.Max(worst, Math.Abs(c[(long)i * N + j] - exact) / magnitude);
            }
        }
        return worst;
    }

    /// <summary>Each sum has k + 1 terms: the fp32 bound (k + 1)·2⁻²⁴, relative to |bias| + Σ|A·B|.</summary>
    public double Tolerance => (K + 1) * Math.Pow(2, -24);

    public void Prepare(int seed)
    {
        var random = new Random(seed);
        float[] Fill(long count)
        {
            var data = new float[count];
            for (long i = 0; i < count; i++)
                data[i] = (float)(random.NextDouble() * 2 - 1);
            return data;
        }
        (A, B, Bias) = (Fill((long)M * K), Fill((long)K * N), Fill(N));
    }

    public static IReadOnlyList<MatMulCase> MiniLm() =>
    [
        new() { Name = "MiniLM Q/K/V/O 4096×384×384", M = 4096, K = 384, N = 384 },
        new() { Name = "MiniLM FFN up 4096×384×1536", M = 4096, K = 384, N = 1536 },
        new() { Name = "MiniLM FFN down 4096×1536×384", M = 4096, K = 1536, N = 384 },
    ];
}

using System;
using System.Linq;
using ILGPU;
using ILGPU.Runtime;

namespace KernelGen.GpuBench;

/// <summary>
/// --check: every kind of generated kernel on the accelerator against the float64 reference, at lengths that are not
/// tile multiples, in batches of 2: masks, GQA, head dims that take single-float and 16-row paths, linear attention,
/// decoding (one query row, the keys split across groups and merged), views that start off a 16-byte boundary, and
/// padded batches (per-sequence key lengths).
/// </summary>
internal static class Check
{
    private sealed record Case(string Name, IAttentionKernel Kernel, GpuForward Forward, int QueryLength, int KeyLength, int Offset = 0,
        int[]? KeyLengths = null);

    public static bool Run(Accelerator accelerator)
    {
        Case[] cases =
        [
            new("full64", Full64.Kernel.Instance, Full64.Gpu.Forward, 1000, 1000),
            new("full64 views at +1 float", Full64.Kernel.Instance, Full64.Gpu.Forward, 1000, 1000, Offset: 1),
            new("causal128", Causal128.Kernel.Instance, Causal128.Gpu.Forward, 777, 1001),
            new("gqa 8/2 causal window 100", GqaCausalWindow64.Kernel.Instance, GqaCausalWindow64.Gpu.Forward, 1000, 1000),
            new("window 9, head dim 136", Window136.Kernel.Instance, Window136.Gpu.Forward, 500, 500),
            new("causal, head dim 256", Causal256.Kernel.Instance, Causal256.Gpu.Forward, 300, 300),
            new("decode full128 (split keys)", Full128.Kernel.Instance, Full128.Gpu.Forward, 1, 8000),
            new("decode gqa causal window (split keys)", GqaCausalWindow64.Kernel.Instance, GqaCausalWindow64.Gpu.Forward, 1, 4000),
            new("linear gqa causal", LinearCausal64.Kernel.Instance, LinearCausal64.Gpu.Forward, 1000, 1000),
            new("linear window 20, head dim 40", LinearWindow40.Kernel.Instance, LinearWindow40.Gpu.Forward, 300, 300),
            new("padded batch, key lengths 1000 and 357", GqaCausalWindow64.Kernel.Instance,
                (accelerator, q, k, v, output, batch, queryLength, keyLength) => GqaCausalWindow64.Gpu.Forward(accelerator, q, k, v, output, batch, queryLength, keyLength, [1000, 357]),
                400, 1000, KeyLengths: [1000, 357]),
            new("decode, padded batch (split keys)", Full128.Kernel.Instance,
                (accelerator, q, k, v, output, batch, queryLength, keyLength) => Full128.Gpu.Forward(accelerator, q, k, v, output, batch, queryLength, keyLength, [8000, 2500]),
                1, 8000, KeyLengths: [8000, 2500]),
        ];
        bool allAccurate = true;
        foreach (Case check in cases)
        {
            AttentionConfig config = check.Kernel.Config;
            const int batch = 2;
            int qLength = batch * config.Heads * check.QueryLength * config.HeadDim;
            int kvLength = batch * config.KvHeads * check.KeyLength * config.HeadDim;
            var random = new Random(check.QueryLength + config.HeadDim);
            float[] q = Uniform(random, qLength), k = Uniform(random, kvLength), v = Uniform(random, kvLength);

            using var qBuffer = accelerator.Allocate1D<float>(qLength + check.Offset);
            using var kBuffer = accelerator.Allocate1D<float>(kvLength + check.Offset);
            using var vBuffer = accelerator.Allocate1D<float>(kvLength + check.Offset);
            using var outputBuffer = accelerator.Allocate1D<float>(qLength);
            ArrayView<float> qView = qBuffer.View.SubView(check.Offset, qLength);
            ArrayView<float> kView = kBuffer.View.SubView(check.Offset, kvLength);
            ArrayView<float> vView = vBuffer.View.SubView(check.Offset, kvLength);
            qView.CopyFromCPU(q);
            kView.CopyFromCPU(k);
            vView.CopyFromCPU(v);

            check.Forward(accelerator, qView, kView, vView, outputBuffer.View, batch, check.QueryLength, check.KeyLength);
            float[] output = outputBuffer.GetAsArray1D();

            double[] reference = ReferenceAttention.Forward(config, q, k, v, batch, check.QueryLength, check.KeyLength, check.KeyLengths);
            // The CPU tests' bounds (tests/KernelGen.Runtime.Tests/Accuracy.cs): softmax max |error| ≤ 1e-5, linear
            // relative RMSE ≤ 1e-4.
            bool softmax = config.Kind == AttentionKind.Softmax;
            double error = softmax
                ? output.Select((x, i) => Math.Abs(x - reference[i])).Max()
                : Math.Sqrt(output.Select((x, i) => (x - reference[i]) * (x - reference[i])).Sum() / reference.Sum(r => r * r));
            bool accurate = error <= (softmax ? 1e-5 : 1e-4);
            allAccurate &= accurate;
            Console.WriteLine($"check {check.Name}, batch {batch}, {check.QueryLength} × {check.KeyLength}: " +
                $"{(softmax ? "max |out − float64 reference|" : "relative RMSE against float64")} = {error:G3} ({(accurate ? "ok" : "TOO LARGE")})");
        }
        return allAccurate;
    }

    public static float[] Uniform(Random random, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
            values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }
}

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using KernelGen;
using KernelGen.Gpu;
using KernelGen.GpuBench;

// Usage: KernelGen.GpuBench --data DIR [--sizes 2048,8192] [--cases full64,causal128] [--cpu]
//        KernelGen.GpuBench --check [--cpu]
//        KernelGen.GpuBench --ptx DIR
//   The second form writes each configuration's kernel as SM_90 PTX (ILGPU's PTX backend, no GPU needed), for ptxas
//   to report registers and spills. The second checks every kind of kernel against float64 (Check.cs). The first runs every configuration of Configurations.cs at each sequence length on the accelerator the chooser picks (or,
//   with --cpu, on the CPU accelerator), times the kernel, and writes DIR/cases.csv plus each case's q, k, v and
//   output as raw float32 for compare.py. With --cpu it also checks the output against the float64 reference here.
if (Argument("--ptx") is string ptxDirectory)
{
    Directory.CreateDirectory(ptxDirectory);
    foreach (Type configuration in new[] { typeof(Full64), typeof(Causal64), typeof(Full128), typeof(Causal128) })
        File.WriteAllText(Path.Combine(ptxDirectory, configuration.Name + ".ptx"),
            GpuPtx.Compile(configuration.GetNestedType("Gpu")!.GetMethod("AttentionKernel")!, CudaArchitecture.SM_90, CudaInstructionSet.ISA_83));
    return 0;
}
bool cpu = args.Contains("--cpu");
using AttentionGpuDevice device = cpu ? AttentionGpuDevice.CreateCpu() : AttentionGpuDevice.CreateBest();
Console.WriteLine($"accelerator: {device.Description}");
if (args.Contains("--check"))
    return Check.Run(device.Accelerator) ? 0 : 1;

string data = Argument("--data") ?? throw new ArgumentException("--data DIR is required.");
int[] sizes = (Argument("--sizes") ?? (cpu ? "40" : "2048,8192")).Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
Directory.CreateDirectory(data);

var cases = new (string Name, IAttentionKernel Kernel, GpuForward Forward)[]
{
    ("full64", Full64.Kernel.Instance, Full64.Gpu.Forward),
    ("causal64", Causal64.Kernel.Instance, Causal64.Gpu.Forward),
    ("full128", Full128.Kernel.Instance, Full128.Gpu.Forward),
    ("causal128", Causal128.Kernel.Instance, Causal128.Gpu.Forward),
};
if (Argument("--cases") is string names)
    cases = cases.Where(c => names.Split(',').Contains(c.Name)).ToArray();

using var csv = new StreamWriter(Path.Combine(data, "cases.csv"));
csv.WriteLine("case,n,d,heads,causal,median_ms,tflops");
bool allAccurate = true;
foreach (int n in sizes)
foreach ((string name, IAttentionKernel kernel, GpuForward forward) in cases)
{
    AttentionConfig config = kernel.Config;
    int length = config.Heads * n * config.HeadDim;
    var random = new Random(n * 1000 + config.HeadDim);
    float[] q = Check.Uniform(random, length), k = Check.Uniform(random, length), v = Check.Uniform(random, length);

    Accelerator accelerator = device.Accelerator;
    using MemoryBuffer1D<float, Stride1D.Dense> qBuffer = accelerator.Allocate1D(q);
    using MemoryBuffer1D<float, Stride1D.Dense> kBuffer = accelerator.Allocate1D(k);
    using MemoryBuffer1D<float, Stride1D.Dense> vBuffer = accelerator.Allocate1D(v);
    using MemoryBuffer1D<float, Stride1D.Dense> outputBuffer = accelerator.Allocate1D<float>(length);

    // The first call loads (compiles) the kernel; then enough timed calls for about a second, at least 3.
    var times = new List<double>();
    var watch = Stopwatch.StartNew();
    forward(accelerator, qBuffer.View, kBuffer.View, vBuffer.View, outputBuffer.View, 1, n, n);
    accelerator.Synchronize();
    Console.WriteLine($"{name} N={n}: first call (with loading) {watch.Elapsed.TotalMilliseconds:F1} ms");
    while (times.Count < 3 || (times.Sum() < 1000 && times.Count < 50))
    {
        watch.Restart();
        forward(accelerator, qBuffer.View, kBuffer.View, vBuffer.View, outputBuffer.View, 1, n, n);
        accelerator.Synchronize();
        times.Add(watch.Elapsed.TotalMilliseconds);
    }
    double median = times.Order().ElementAt(times.Count / 2);
    // 4·B·H·N²·D floating-point operations (two matrix products), half of them under a causal mask.
    double flops = 4.0 * config.Heads * n * (double)n * config.HeadDim * (config.Causal ? 0.5 : 1);
    double tflops = flops / (median * 1e-3) / 1e12;
    Console.WriteLine($"{name} N={n}: median {median:F3} ms over {times.Count} calls, {tflops:F2} TFLOP/s");
    csv.WriteLine(FormattableString.Invariant($"{name},{n},{config.HeadDim},{config.Heads},{(config.Causal ? 1 : 0)},{median:F4},{tflops:F3}"));

    float[] output = outputBuffer.GetAsArray1D();
    string prefix = Path.Combine(data, $"{name}_{n}");
    Write(prefix + ".q.bin", q);
    Write(prefix + ".k.bin", k);
    Write(prefix + ".v.bin", v);
    Write(prefix + ".out.bin", output);

    if (cpu)
    {
        double[] reference = ReferenceAttention.Forward(config, q, k, v, 1, n, n);
        double worst = output.Select((x, i) => Math.Abs(x - reference[i])).Max();
        // The CPU tests' softmax bound (tests/KernelGen.Runtime.Tests/Accuracy.cs).
        bool accurate = worst <= 1e-5;
        allAccurate &= accurate;
        Console.WriteLine($"{name} N={n}: max |out − float64 reference| = {worst:G3} ({(accurate ? "ok" : "TOO LARGE")})");
    }
}
return allAccurate ? 0 : 1;

string? Argument(string name)
{
    int at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
}

static void Write(string path, float[] values) => File.WriteAllBytes(path, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

/// <summary>A generated Gpu.Forward over views.</summary>
internal delegate void GpuForward(Accelerator accelerator, ArrayView<float> q, ArrayView<float> k, ArrayView<float> v,
    ArrayView<float> output, int batch, int queryLength, int keyLength);

using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using ILGPU;
using ILGPU.Runtime;

namespace KernelGen.Gpu.Tests;

/// <summary>A generated Gpu.Forward over views with key lengths.</summary>
internal delegate void KeyLengthsForward(Accelerator accelerator, ArrayView<float> q, ArrayView<float> k, ArrayView<float> v,
    ArrayView<float> output, int batch, int queryLength, int keyLength, ReadOnlySpan<int> keyLengths);

/// <summary>A generated Gpu.Forward over views that also writes the log-sum-exp.</summary>
internal delegate void LogSumExpForward(Accelerator accelerator, ArrayView<float> q, ArrayView<float> k, ArrayView<float> v,
    ArrayView<float> output, ArrayView<float> logSumExp, int batch, int queryLength, int keyLength, ReadOnlySpan<int> keyLengths);

/// <summary>One declared configuration's generated Gpu class, found by reflection so no declared kernel is left out.</summary>
internal sealed record GpuKernel(string Name, AttentionConfig Config, Type Gpu)
{
    /// <summary>The view overload: (accelerator, q, k, v, output, batch, queryLength, keyLength).</summary>
    public MethodInfo ForwardOnViews => Method(typeof(Accelerator), typeof(ArrayView<float>), typeof(ArrayView<float>),
        typeof(ArrayView<float>), typeof(ArrayView<float>), typeof(int), typeof(int), typeof(int));

    /// <summary>The view overload with per-sequence key lengths (a delegate: reflection cannot pass a span).</summary>
    public KeyLengthsForward ForwardWithKeyLengths => Method(typeof(Accelerator), typeof(ArrayView<float>), typeof(ArrayView<float>),
        typeof(ArrayView<float>), typeof(ArrayView<float>), typeof(int), typeof(int), typeof(int), typeof(ReadOnlySpan<int>))
        .CreateDelegate<KeyLengthsForward>();

    /// <summary>The view overload that also writes the log-sum-exp (softmax only).</summary>
    public LogSumExpForward? ForwardWithLogSumExp => Gpu.GetMethod("Forward", [typeof(Accelerator), typeof(ArrayView<float>),
        typeof(ArrayView<float>), typeof(ArrayView<float>), typeof(ArrayView<float>), typeof(ArrayView<float>), typeof(int), typeof(int),
        typeof(int), typeof(ReadOnlySpan<int>)])?.CreateDelegate<LogSumExpForward>();

    /// <summary>The kernel itself, for compiling to PTX.</summary>
    public MethodInfo Kernel => Gpu.GetMethod("AttentionKernel") ?? throw new InvalidOperationException($"{Name}.Gpu has no AttentionKernel.");

    private MethodInfo Method(params Type[] parameters)
        => Gpu.GetMethod("Forward", parameters) ?? throw new InvalidOperationException($"{Name}.Gpu has no such Forward.");

    public override string ToString() => Name;
}

internal static class GpuKernelCatalog
{
    /// <summary>Every class of this assembly with a generated Gpu class, by its short name.</summary>
    public static readonly IReadOnlyDictionary<string, GpuKernel> All = typeof(GpuKernelCatalog).Assembly.GetTypes()
        .Where(type => type.GetNestedType("Gpu") is not null && type.GetNestedType("Kernel") is not null)
        .ToDictionary(type => type.Name, type => new GpuKernel(type.Name, Config(type), type.GetNestedType("Gpu")!));

    public static IEnumerable<object[]> Names => All.Keys.Order(StringComparer.Ordinal).Select(name => new object[] { name });

    private static AttentionConfig Config(Type type)
    {
        var instance = (IAttentionKernel)type.GetNestedType("Kernel")!.GetField("Instance")!.GetValue(null)!;
        return instance.Config;
    }
}

using System;
using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Runtime;

namespace KernelGen.Gpu;

/// <summary>Enqueues one generated kernel on views already on the accelerator.</summary>
public delegate void AttentionGpuLaunch(ArrayView<float> q, ArrayView<float> k, ArrayView<float> v, ArrayView<float> output,
    ArrayView<float> logSumExp);

/// <summary>
/// Host code the generated GPU entry points share: argument checks (the CPU path's, with its messages), the launch
/// shape, and the copy to and from the accelerator for callers that hold their tensors in host memory.
/// </summary>
public static class AttentionGpu
{
    /// <summary>
    /// Checks sizes and view lengths as the CPU path checks spans, so both throw the same
    /// <see cref="ArgumentException"/>s; <paramref name="keyLengths"/> as the CPU overloads do: when
    /// <paramref name="keyLengthsRequired"/> (an overload that takes them), one per sequence, else empty meaning
    /// keyLength keys for every sequence; and, when <paramref name="logSumExpLength"/> is given, the log-sum-exp length.
    /// </summary>
    public static void Validate(int headDim, int heads, int kvHeads, bool causal,
        long qLength, long kLength, long vLength, long outputLength, long? logSumExpLength,
        int batch, int queryLength, int keyLength, ReadOnlySpan<int> keyLengths, bool keyLengthsRequired)
    {
        AttentionArguments.Validate(headDim, heads, kvHeads, qLength, kLength, vLength, outputLength, batch, queryLength, keyLength);
        if (keyLengthsRequired)
            AttentionArguments.ValidateKeyLengths(keyLengths, batch, keyLength);
        else
            AttentionArguments.ValidateKeyLengthsOrCausal(keyLengths, batch, queryLength, keyLength, causal);
        long rows = (long)batch * heads * queryLength;
        if (logSumExpLength is long length && length != rows)
        {
            throw new ArgumentException(
                $"logSumExp must hold batch × heads × queryLength = {batch} × {heads} × {queryLength} = {rows} floats, but holds {length}.",
                "logSumExp");
        }
    }

    /// <summary>
    /// Runs a generated kernel: one group per <see cref="AttentionGpuLayout.RowsPerGroup"/> query rows of each (batch,
    /// head), and, when that leaves the device short of groups (decoding), per share of the keys too, whose partial
    /// results <see cref="SplitKeyCombine"/> then merges; chunked linear attention runs <paramref name="linearStateKernel"/>
    /// first. The call only enqueues, unless it needs buffers of its own (split partials, prefix states, or
    /// <paramref name="keyLengths"/> copied to the accelerator): then it waits, because they are freed on return.
    /// </summary>
    public static void Run(Accelerator accelerator,
        Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, ArrayView<float>, ArrayView<int>, AttentionGpuParameters> kernel,
        AttentionGpuLayout layout, ArrayView<float> q, ArrayView<float> k, ArrayView<float> v, ArrayView<float> output,
        ArrayView<float> logSumExp, int batch, int queryLength, int keyLength, ReadOnlySpan<int> keyLengths,
        Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, AttentionGpuParameters>? linearStateKernel = null)
    {
        int queryTiles = (queryLength + layout.RowsPerGroup - 1) / layout.RowsPerGroup;
        long groups = (long)batch * layout.Heads * queryTiles;
        int splits = layout.SplitKeys ? KeySplits(groups, keyLength, layout.TileKv, accelerator.NumMultiprocessors) : 1;
        if (groups * splits > int.MaxValue)
        {
            throw new ArgumentException(
                $"batch × heads × query tiles of {layout.RowsPerGroup} rows = {groups} groups, more than one launch can hold ({int.MaxValue}).",
                nameof(queryLength));
        }
        // One thing decides chunked linear attention: a state kernel; the layout gives only its chunk size.
        int stateChunks = linearStateKernel is null ? 0 : (keyLength + layout.LinearChunk - 1) / layout.LinearChunk + 1;
        var sizes = new AttentionGpuParameters(batch, queryLength, keyLength, queryTiles, splits,
            vectorLoads: StartsAligned(q) && StartsAligned(k) && StartsAligned(v), stateChunks);
        var launch = new KernelConfig(new Index3D((int)(groups * splits), 1, 1), new Index3D(layout.ThreadsPerGroup, 1, 1));
        using MemoryBuffer1D<int, Stride1D.Dense>? lengths = keyLengths.IsEmpty ? null : accelerator.Allocate1D(keyLengths.ToArray());
        ArrayView<int> lengthsView = lengths?.View ?? ArrayView<int>.Empty;
        if (linearStateKernel is not null)
        {
            // Chunked linear attention: the prefix states first (a group per 8 of their HeadDim rows per (batch,
            // key/value head)), then the attention kernel, which reads them as its sixth view.
            using MemoryBuffer1D<float, Stride1D.Dense> states = accelerator.Allocate1D<float>(
                (long)batch * layout.KvHeads * stateChunks * layout.HeadDim * (layout.HeadDim + 1));
            linearStateKernel(new KernelConfig(new Index3D(batch * layout.KvHeads * (layout.HeadDim / 8), 1, 1), new Index3D(layout.ThreadsPerGroup, 1, 1)),
                k, v, states.View, lengthsView, sizes);
            kernel(launch, q, k, v, output, logSumExp, states.View, ArrayView<float>.Empty, lengthsView, sizes);
            accelerator.Synchronize();
            return;
        }
        if (splits == 1)
        {
            kernel(launch, q, k, v, output, logSumExp, ArrayView<float>.Empty, ArrayView<float>.Empty, lengthsView, sizes);
            if (lengths is not null)
                accelerator.Synchronize();
            return;
        }

        long rows = (long)batch * layout.Heads * queryLength;
        using MemoryBuffer1D<float, Stride1D.Dense> partialOutputs = accelerator.Allocate1D<float>(rows * splits * layout.HeadDim);
        using MemoryBuffer1D<float, Stride1D.Dense> partialStats = accelerator.Allocate1D<float>(rows * splits * 2);
        kernel(launch, q, k, v, output, logSumExp, partialOutputs.View, partialStats.View, lengthsView, sizes);
        var combine = GpuKernelCache.GetOrLoad(accelerator, typeof(SplitKeyCombine), nameof(SplitKeyCombine.Kernel), static loading =>
            loading.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>(SplitKeyCombine.Kernel));
        combine((int)(rows * layout.HeadDim), partialOutputs.View, partialStats.View, output, logSumExp, splits, layout.HeadDim);
        accelerator.Synchronize();
    }

    /// <summary>Whether <paramref name="view"/>'s first element sits on a 16-byte boundary (a Float4 may be read there).</summary>
    private static bool StartsAligned(ArrayView<float> view) => view.LoadEffectiveAddressAsPtr() % 16 == 0;

    /// <summary>
    /// How many shares to split the keys into: enough for 4 groups per multiprocessor, but each share at least two
    /// key tiles; 1 whenever the query tiles alone fill the device (prefill).
    /// </summary>
    public static int KeySplits(long groups, int keyLength, int tileKv, int multiprocessors)
    {
        long wanted = (4L * multiprocessors + groups - 1) / groups;
        long most = Math.Max(1, keyLength / (2L * tileKv));
        return (int)Math.Clamp(wanted, 1, most);
    }

    /// <summary>
    /// Copies q, k and v to <paramref name="accelerator"/>, runs <paramref name="launch"/>, waits, and copies the
    /// output (and the log-sum-exp, when <paramref name="logSumExp"/> is not empty) back. The caller has validated.
    /// </summary>
    public static void ForwardOnHost(Accelerator accelerator, ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v,
        Span<float> output, Span<float> logSumExp, AttentionGpuLaunch launch)
    {
        using MemoryBuffer1D<float, Stride1D.Dense> qBuffer = Upload(accelerator, q);
        using MemoryBuffer1D<float, Stride1D.Dense> kBuffer = Upload(accelerator, k);
        using MemoryBuffer1D<float, Stride1D.Dense> vBuffer = Upload(accelerator, v);
        using MemoryBuffer1D<float, Stride1D.Dense> outputBuffer = accelerator.Allocate1D<float>(output.Length);
        using MemoryBuffer1D<float, Stride1D.Dense>? lseBuffer = logSumExp.IsEmpty ? null : accelerator.Allocate1D<float>(logSumExp.Length);

        launch(qBuffer.View, kBuffer.View, vBuffer.View, outputBuffer.View, lseBuffer?.View ?? ArrayView<float>.Empty);
        accelerator.Synchronize();

        outputBuffer.View.CopyToCPU(ref MemoryMarshal.GetReference(output), output.Length);
        if (lseBuffer is not null)
            lseBuffer.View.CopyToCPU(ref MemoryMarshal.GetReference(logSumExp), logSumExp.Length);
    }

    private static MemoryBuffer1D<float, Stride1D.Dense> Upload(Accelerator accelerator, ReadOnlySpan<float> data)
    {
        MemoryBuffer1D<float, Stride1D.Dense> buffer = accelerator.Allocate1D<float>(data.Length);
        buffer.View.CopyFromCPU(ref MemoryMarshal.GetReference(data), data.Length);
        return buffer;
    }
}

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
    /// <see cref="ArgumentException"/>s; and, when <paramref name="logSumExpLength"/> is given, the log-sum-exp length.
    /// </summary>
    public static void Validate(int headDim, int heads, int kvHeads, bool causal,
        long qLength, long kLength, long vLength, long outputLength, long? logSumExpLength,
        int batch, int queryLength, int keyLength)
    {
        AttentionArguments.Validate(headDim, heads, kvHeads, qLength, kLength, vLength, outputLength, batch, queryLength, keyLength);
        if (causal)
            AttentionArguments.ValidateCausal(queryLength, keyLength);
        long rows = (long)batch * heads * queryLength;
        if (logSumExpLength is long length && length != rows)
        {
            throw new ArgumentException(
                $"logSumExp must hold batch × heads × queryLength = {batch} × {heads} × {queryLength} = {rows} floats, but holds {length}.",
                "logSumExp");
        }
    }

    /// <summary>
    /// The launch of a kernel that gives each group <paramref name="rowsPerGroup"/> query rows of one (batch, head):
    /// a one-dimensional grid of batch × heads × query tiles groups of <paramref name="threadsPerGroup"/> threads.
    /// </summary>
    public static KernelConfig Launch(int batch, int heads, int queryLength, int keyLength, int rowsPerGroup, int threadsPerGroup,
        out AttentionGpuParameters parameters)
    {
        int queryTiles = (queryLength + rowsPerGroup - 1) / rowsPerGroup;
        long groups = (long)batch * heads * queryTiles;
        if (groups > int.MaxValue)
        {
            throw new ArgumentException(
                $"batch × heads × query tiles of {rowsPerGroup} rows = {groups} groups, more than one launch can hold ({int.MaxValue}).",
                nameof(queryLength));
        }
        parameters = new AttentionGpuParameters(batch, queryLength, keyLength, queryTiles);
        return new KernelConfig(new Index3D((int)groups, 1, 1), new Index3D(threadsPerGroup, 1, 1));
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

using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace KernelGen;

/// <summary>
/// A weight matrix B [k × n] and its bias, packed once into the panel layout of <see cref="MatrixMultiply"/>, for
/// weights multiplied many times (a layer's projection): <see cref="MatrixMultiply.Multiply(ReadOnlySpan{float}, PackedWeights, Span{float}, int)"/>
/// then skips packing B, which dominates the cost when A has few rows (a single short sentence).
/// Packed for the CPU path of <see cref="AttentionCpu.Path"/> when created; products with it run on that path.
/// Immutable once created, so one instance can serve several threads at once.
/// </summary>
public sealed unsafe class PackedWeights
{
    // Pinned, so the aligned pointer into it stays valid for the object's lifetime.
    private readonly float[] _storage;
    private readonly nint _packed;

    /// <summary>Rows of B (the product's depth).</summary>
    public int K { get; }

    /// <summary>Columns of B (the product's output width).</summary>
    public int N { get; }

    /// <summary>The CPU path the layout was packed for.</summary>
    public CpuPath Path { get; }

    internal float* Packed => (float*)_packed;

    private PackedWeights(int k, int n, CpuPath path, long length)
    {
        (K, N, Path) = (k, n, path);
        _storage = GC.AllocateUninitializedArray<float>(checked((int)(length + CacheLineAlignment.Slack)), pinned: true);
        _packed = CacheLineAlignment.RoundUp((nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_storage)));
    }

    /// <summary>Packs <paramref name="b"/> [k × n, row-major, [in, out]] and <paramref name="bias"/> (empty: none).</summary>
    /// <exception cref="ArgumentException">A size is negative, b is too short, or bias is neither empty nor n long.</exception>
    public static PackedWeights Create(ReadOnlySpan<float> b, int k, int n, ReadOnlySpan<float> bias = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        MatrixMultiply.ValidateWeights(b, k, n, bias);
        CpuPath path = AttentionCpu.Path;
        long length = path switch
        {
            CpuPath.Vector512 => GemmBlocking<Simd512, Vector512<float>>.PackedLength(k, n),
            CpuPath.Vector256 => GemmBlocking<Simd256, Vector256<float>>.PackedLength(k, n),
            _ => GemmBlocking<SimdScalar, float>.PackedLength(k, n),
        };
        var weights = new PackedWeights(k, n, path, length);
        fixed (float* pb = b)
        {
            switch (path)
            {
                case CpuPath.Vector512:
                    GemmBlocking<Simd512, Vector512<float>>.Pack(pb, k, n, bias, weights.Packed);
                    break;
                case CpuPath.Vector256:
                    GemmBlocking<Simd256, Vector256<float>>.Pack(pb, k, n, bias, weights.Packed);
                    break;
                default:
                    GemmBlocking<SimdScalar, float>.Pack(pb, k, n, bias, weights.Packed);
                    break;
            }
        }
        return weights;
    }
}

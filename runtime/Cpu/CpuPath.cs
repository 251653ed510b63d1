using System;
using System.Runtime.Intrinsics;
using System.Threading;

namespace KernelGen;

/// <summary>The instruction-set paths of the generated CPU kernels, widest first.</summary>
public enum CpuPath
{
    /// <summary>Plain scalar C#: runs anywhere.</summary>
    Scalar = 0,

    /// <summary>256-bit vectors (AVX2 / Arm SVE-256 class hardware); any head dim (multiples of 8).</summary>
    Vector256 = 1,

    /// <summary>512-bit vectors (AVX-512); head dims that are multiples of 16, else the 256-bit path runs.</summary>
    Vector512 = 2,
}

/// <summary>
/// Which path generated kernels take. Chosen once, by hardware support, when first asked; it can be narrowed (to
/// compare paths, or to test one on wider hardware) but never widened past what the hardware accelerates.
/// </summary>
public static class AttentionCpu
{
    private static int _path = (int)Supported;

    /// <summary>The widest path this machine accelerates.</summary>
    public static CpuPath Supported
        => Vector512.IsHardwareAccelerated ? CpuPath.Vector512
        : Vector256.IsHardwareAccelerated ? CpuPath.Vector256
        : CpuPath.Scalar;

    /// <summary>The path kernels take; defaults to <see cref="Supported"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Wider than <see cref="Supported"/>, or not a path.</exception>
    public static CpuPath Path
    {
        get => (CpuPath)Volatile.Read(ref _path);
        set
        {
            if (!Enum.IsDefined(value) || value > Supported)
                throw new ArgumentOutOfRangeException(nameof(value), value, $"Path must be a CpuPath no wider than {Supported} on this machine.");
            Volatile.Write(ref _path, (int)value);
        }
    }
}

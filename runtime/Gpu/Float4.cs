using System.Runtime.InteropServices;

namespace KernelGen.Gpu;

/// <summary>
/// Four floats that generated GPU kernels read and write in shared memory as one element: ILGPU turns each access into
/// one <c>ld.shared.v4.f32</c> / <c>st.shared.v4.f32</c> where four floats would take four instructions.
/// (<c>System.Numerics.Vector4</c> loads the same way, but its constructor goes through hardware intrinsics that
/// ILGPU cannot compile.)
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct Float4
{
    /// <summary>The components, in memory order.</summary>
    public float X, Y, Z, W;

    /// <summary>The four components.</summary>
    public Float4(float x, float y, float z, float w)
    {
        X = x;
        Y = y;
        Z = z;
        W = w;
    }
}

/// <summary>Two floats read and written as one element (<c>ld.shared.v2.f32</c>), as <see cref="Float4"/>.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct Float2
{
    /// <summary>The components, in memory order.</summary>
    public float X, Y;

    /// <summary>The two components.</summary>
    public Float2(float x, float y)
    {
        X = x;
        Y = y;
    }
}

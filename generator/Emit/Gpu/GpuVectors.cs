namespace KernelGen.Generator.Emit.Gpu;

/// <summary>
/// Shared-memory reads of 4, 2 or 1 floats at once: ILGPU turns a <c>Float4</c> or <c>Float2</c> element of a view
/// (runtime/Gpu/Float4.cs) into one <c>ld.shared.v4</c> / <c>.v2</c>, where single floats take one instruction each.
/// </summary>
internal static class GpuVectors
{
    public static string Type(int width) => width switch
    {
        4 => "Float4",
        2 => "Float2",
        _ => "float",
    };

    /// <summary>The cast that views a <c>Float4</c> view as elements of <paramref name="width"/> floats.</summary>
    public static string Cast(int width) => width == 4 ? "" : $".Cast<{Type(width)}>()";

    /// <summary>Component <paramref name="index"/> of a vector of <paramref name="width"/> floats (the float itself for 1).</summary>
    public static string Component(int width, int index) => width == 1 ? "" : "." + "XYZW"[index];
}

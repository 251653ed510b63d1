namespace KernelGen;

/// <summary>
/// A head dimension as a type. A generated kernel passes its own, so that runtime kernels generic over it are
/// compiled with the dimension a constant: row strides become address displacements instead of registers, which a
/// block of 16 keys would otherwise run out of (16 strided rows spilled their offsets to the stack, 27 loads per 16
/// FMAs instead of 17).
/// </summary>
public interface IHeadDimension
{
    /// <summary>Floats in one query, key, value or output row.</summary>
    static abstract int Value { get; }
}

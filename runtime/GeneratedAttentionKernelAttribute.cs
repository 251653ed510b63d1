using System;
using System.Diagnostics.CodeAnalysis;

namespace KernelGen;

/// <summary>
/// Written by the generator, once per attributed class, so that <see cref="AttentionKernels"/> can list the kernels
/// an assembly carries without scanning its types.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
public sealed class GeneratedAttentionKernelAttribute(
    [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] Type kernelType)
    : Attribute
{
    /// <summary>The generated descriptor type, which implements <see cref="IAttentionKernel"/>.</summary>
    [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)]
    public Type KernelType { get; } = kernelType;
}

using KernelGen.Generator.Model;

namespace KernelGen.Generator.Emit;

/// <summary>
/// Writes <c>Run</c>: the switch on <c>AttentionCpu.Path</c> that sends a call to the 512-bit, 256-bit or scalar
/// kernel. A head dim that is not a multiple of 16 has no 512-bit kernel; 512-bit hardware then runs the 256-bit one.
/// </summary>
internal static class CpuPathSwitch
{
    public static void Emit(IndentedWriter writer, AttentionSpec spec, string call512, string call256, string callScalar)
    {
        string widePath = VectorShape.Fits(spec, 16)
            ? $"""
                case CpuPath.Vector512:
                    {call512};
                    break;
                case CpuPath.Vector256:
                """
            : """
                // HeadDim is not a multiple of 16, so 512-bit hardware runs the 256-bit kernel.
                case CpuPath.Vector512:
                case CpuPath.Vector256:
                """;
        // Softmax kernels can also write each row's log-sum-exp; linear attention has none.
        string logSumExp = spec.Kind == AttentionKind.Softmax ? ", Span<float> logSumExp = default" : "";
        writer.Write($$"""
            /// <summary>
            /// Picks the kernel for <see cref="AttentionCpu.Path"/> (the widest this machine accelerates unless narrowed).
            /// </summary>
            private static void Run(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, Span<float> output,
                int batch, int queryLength, int keyLength, ReadOnlySpan<int> keyLengths{{logSumExp}})
            {
                switch (AttentionCpu.Path)
                {
                    {{Indentation.Continue(widePath, 2)}}
                        {{call256}};
                        break;
                    default:
                        {{callScalar}};
                        break;
                }
            }
            """);
    }
}

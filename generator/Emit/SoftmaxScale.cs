using KernelGen.Generator.Model;

namespace KernelGen.Generator.Emit;

/// <summary>The softmax scale folded with log2(e), so kernels exponentiate with exp2.</summary>
internal static class SoftmaxScale
{
    private const double Log2E = 1.4426950408889634;

    public static string Declaration(AttentionSpec spec) => $$"""
        /// <summary>The scale {{Literals.Double(spec.Scale)}} times log2(e): scores come out in base 2 and go straight into exp2.</summary>
        private const float ScaleLog2E = {{Literals.Float(spec.Scale * Log2E)}};
        """;
}

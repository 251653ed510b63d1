using KernelGen.Generator.Model;

namespace KernelGen.Generator.Emit;

/// <summary>
/// Writes <c>VisibleKeys</c>: the contiguous key range one query sees, with this configuration's mask folded into
/// constants. Both ends only grow with the position, which the algorithms rely on to skip whole tiles.
/// </summary>
internal static class MaskEmitter
{
    public static void Emit(IndentedWriter writer, AttentionSpec spec)
    {
        string body = spec switch
        {
            { Causal: false, Window: 0 } => "(0, validKeys)",
            { Causal: true, Window: 0 } => "AttentionMask.Clamp(0, position + 1L, validKeys)",
            { Causal: true } => $"AttentionMask.Clamp(position - {spec.Window - 1}L, position + 1L, validKeys)",
            _ => $"AttentionMask.Clamp(position - {spec.Window - 1}L, position + {spec.Window}L, validKeys)",
        };
        writer.Write($$"""
            /// <summary>
            /// Keys [Start, End) of the first <paramref name="validKeys"/> that the query at <paramref name="position"/>
            /// sees: {{ConfigurationDescription.Mask(spec)}}.
            /// </summary>
            private static (int Start, int End) VisibleKeys(int position, int validKeys)
                => {{body}};
            """);
    }
}

using KernelGen.Generator.Model;

namespace KernelGen.Generator.Emit;

/// <summary>Writes linear attention in its explicit form: one row of weights φ(q)·φ(k) at a time.</summary>
internal static class MaterializedLinearEmitter
{
    public static void Emit(IndentedWriter writer, AttentionSpec spec) => writer.Write($$"""
        /// <summary>
        /// Linear attention for the {{spec.GroupSize}} query head(s) that read one key/value head, with explicit weights:
        /// φ(k) of the head's keys is computed once, then each row weighs every visible key by φ(q)·φ(k) and divides
        /// the weighted sum of V by the sum of weights plus ε.
        /// </summary>
        private static void Group(ReadOnlySpan<float> qGroup, ReadOnlySpan<float> kHead, ReadOnlySpan<float> vHead,
            Span<float> outGroup, int queryLength, int validKeys)
        {
            float[] scratch = ArrayPool<float>.Shared.Rent((validKeys + 1) * HeadDim);
            try
            {
                Span<float> phiK = scratch.AsSpan(0, validKeys * HeadDim);
                Span<float> phiQ = scratch.AsSpan(validKeys * HeadDim, HeadDim);
                for (int index = 0; index < phiK.Length; index++)
                    phiK[index] = LinearFeatureMap.Phi(kHead[index]);

                int firstPosition = validKeys - queryLength;
                for (int row = 0; row < GroupSize * queryLength; row++)
                {
                    Span<float> outRow = outGroup.Slice(row * HeadDim, HeadDim);
                    outRow.Clear();
                    (int start, int end) = VisibleKeys(firstPosition + row % queryLength, validKeys);
                    if (start == end)
                        continue; // no visible key: the row stays zero

                    ReadOnlySpan<float> qRow = qGroup.Slice(row * HeadDim, HeadDim);
                    for (int a = 0; a < HeadDim; a++)
                        phiQ[a] = LinearFeatureMap.Phi(qRow[a]);
                    float sum = {{Literals.Float(AttentionRules.LinearEpsilon)}};
                    for (int j = start; j < end; j++)
                    {
                        float weight = Dot(phiQ, phiK.Slice(j * HeadDim, HeadDim));
                        sum += weight;
                        AddScaled(outRow, vHead.Slice(j * HeadDim, HeadDim), weight);
                    }
                    Scale(outRow, 1f / sum);
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(scratch);
            }
        }
        """);
}

using KernelGen.Generator.Model;

namespace KernelGen.Generator.Emit;

/// <summary>
/// Writes linear attention as a running state over the visible keys: S = Σ φ(k)vᵀ (HeadDim × HeadDim) and
/// z = Σ φ(k), so each output costs O(HeadDim²) whatever the number of keys it sees.
/// </summary>
internal static class RunningStateLinearEmitter
{
    public static void Emit(IndentedWriter writer, AttentionSpec spec) => writer.Write($$"""
        /// <summary>
        /// Linear attention for the {{spec.GroupSize}} query head(s) that read one key/value head. Queries go in position
        /// order; the state holds exactly the current position's visible keys, grown at the range's end and shrunk at
        /// its start (both ends only move forward), and every query head of the group reads the same state:
        /// o = φ(q)ᵀS / (φ(q)·z + ε).
        /// </summary>
        private static void Group(ReadOnlySpan<float> qGroup, ReadOnlySpan<float> kHead, ReadOnlySpan<float> vHead,
            Span<float> outGroup, int queryLength, int validKeys)
        {
            float[] scratch = ArrayPool<float>.Shared.Rent(HeadDim * HeadDim + 2 * HeadDim);
            try
            {
                Span<float> state = scratch.AsSpan(0, HeadDim * HeadDim);
                Span<float> normalizer = scratch.AsSpan(HeadDim * HeadDim, HeadDim);
                Span<float> phi = scratch.AsSpan(HeadDim * HeadDim + HeadDim, HeadDim);
                state.Clear();
                normalizer.Clear();
                int firstPosition = validKeys - queryLength;
                int inStart = 0, inEnd = 0;
                for (int i = 0; i < queryLength; i++)
                {
                    (int start, int end) = VisibleKeys(firstPosition + i, validKeys);
                    if (start >= inEnd)
                    {
                        // No key in the state is visible any more (a decode's first query, a narrow window): start
                        // afresh at the range rather than add keys only to subtract them again, which would leave
                        // the state with the rounding error of every key before the window.
                        state.Clear();
                        normalizer.Clear();
                        inStart = inEnd = start;
                    }
                    for (; inEnd < end; inEnd++)
                        Accumulate(kHead.Slice(inEnd * HeadDim, HeadDim), vHead.Slice(inEnd * HeadDim, HeadDim), state, normalizer, phi, 1f);
                    for (; inStart < start; inStart++)
                        Accumulate(kHead.Slice(inStart * HeadDim, HeadDim), vHead.Slice(inStart * HeadDim, HeadDim), state, normalizer, phi, -1f);

                    for (int head = 0; head < GroupSize; head++)
                    {
                        int row = head * queryLength + i;
                        Span<float> outRow = outGroup.Slice(row * HeadDim, HeadDim);
                        outRow.Clear();
                        if (start == end)
                            continue; // no visible key: the row stays zero

                        ReadOnlySpan<float> qRow = qGroup.Slice(row * HeadDim, HeadDim);
                        float denominator = {{Literals.Float(AttentionRules.LinearEpsilon)}};
                        for (int a = 0; a < HeadDim; a++)
                        {
                            float phiQ = LinearFeatureMap.Phi(qRow[a]);
                            denominator += phiQ * normalizer[a];
                            AddScaled(outRow, state.Slice(a * HeadDim, HeadDim), phiQ);
                        }
                        Scale(outRow, 1f / denominator);
                    }
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(scratch);
            }
        }

        /// <summary>Adds (sign 1) or removes (sign −1) one key's φ(k)vᵀ and φ(k) from the running state.</summary>
        private static void Accumulate(ReadOnlySpan<float> kRow, ReadOnlySpan<float> vRow, Span<float> state,
            Span<float> normalizer, Span<float> phi, float sign)
        {
            for (int a = 0; a < HeadDim; a++)
            {
                phi[a] = sign * LinearFeatureMap.Phi(kRow[a]);
                normalizer[a] += phi[a];
            }
            for (int a = 0; a < HeadDim; a++)
                AddScaled(state.Slice(a * HeadDim, HeadDim), vRow, phi[a]);
        }
        """);
}

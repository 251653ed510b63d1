using ILGPU;
using ILGPU.Algorithms;

namespace KernelGen.Gpu;

/// <summary>
/// The second kernel of split-KV: each split left a row's unnormalized output, running maximum and sum; this rescales
/// them to their common maximum and adds them in split order, so the result depends on the split count alone (which
/// depends on the device, never on timing).
/// </summary>
internal static class SplitKeyCombine
{
    private const float Ln2 = 0.6931472f;

    /// <summary>One thread per output element; partials are [row, split, headDim], stats [row, split, (max, sum)].</summary>
    public static void Kernel(Index1D element, ArrayView<float> partialOutputs, ArrayView<float> partialStats,
        ArrayView<float> output, ArrayView<float> logSumExp, int splits, int headDim)
    {
        int index = element;
        long row = index / headDim;
        int dim = index % headDim;
        float max = float.NegativeInfinity;
        for (int split = 0; split < splits; split++)
            max = XMath.Max(max, partialStats[(row * splits + split) * 2]);

        float sum = 0f, weighted = 0f;
        for (int split = 0; split < splits; split++)
        {
            long at = row * splits + split;
            float splitMax = partialStats[at * 2];
            // A split that saw no key of this row holds nothing (and exp2(−∞ − −∞) would be NaN).
            if (splitMax == float.NegativeInfinity)
                continue;
            float rescale = XMath.Exp2(splitMax - max);
            sum += partialStats[at * 2 + 1] * rescale;
            weighted += partialOutputs[at * headDim + dim] * rescale;
        }
        output[index] = sum > 0f ? weighted / sum : 0f;
        if (dim == 0 && logSumExp.Length > 0)
            logSumExp[row] = sum > 0f ? (max + XMath.Log2(sum)) * Ln2 : float.NegativeInfinity;
    }
}

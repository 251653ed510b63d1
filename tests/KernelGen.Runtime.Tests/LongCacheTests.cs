using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace KernelGen.Runtime.Tests;

/// <summary>
/// Decoding against a long key/value cache: a few queries at the end of 2048 keys. With a window only the last W
/// keys are visible, so the fp32 result must be as accurate as attention over W keys: how many keys lie before the
/// window must not matter (a running-state linear kernel that added every earlier key to its state and subtracted it
/// again was off by 1e-4 relative at 2048 keys and 4e-2 at 65536). Softmax kernels also decode one query against a
/// cache just larger than the size from which they prefetch it. The accuracy bounds are those of <see cref="Accuracy"/>,
/// unchanged.
/// </summary>
public sealed class LongCacheTests
{
    public static IEnumerable<object[]> Cases()
    {
        foreach (string id in KernelCatalog.AllIds)
        {
            yield return [id, 1, 1, 2048, ""];
            yield return [id, 2, 3, 2048, "2048,1500"];
            AttentionConfig config = KernelCatalog.Get(id).Config;
            if (config.Kind == AttentionKind.Linear && config.Algorithm == AttentionAlgorithm.Auto && config.Window > 0)
                yield return [id, 1, 300, 300, ""]; // a running state slid along a long prefill: 300 keys in and out
            if (config.Kind == AttentionKind.Softmax)
            {
                // A cache larger than CachePrefetch.StreamedCacheFloats, which decoding prefetches as it reads it.
                int keys = CachePrefetch.StreamedCacheFloats / (2 * config.ResolvedKvHeads * config.HeadDim) + 100;
                yield return [id, 1, 1, keys, ""];
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decode_over_a_long_cache_matches_the_reference(string kernelId, int batch, int queryLength, int keyLength, string keyLengths)
    {
        IAttentionKernel kernel = KernelCatalog.Get(kernelId);
        var shape = new Shape(batch, queryLength, keyLength, Shape.ParseKeyLengths(keyLengths));
        var inputs = new TestInputs(kernel.Config, shape, seed: 606);

        float[] output = inputs.Run(kernel);

        Accuracy.AssertMatches($"{kernel.Name} on {shape}", kernel.Config.Kind, output, inputs.Reference(), kernel.Config.HeadDim);
    }
}

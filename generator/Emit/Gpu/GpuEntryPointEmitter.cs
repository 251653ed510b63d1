using KernelGen.Generator.Model;

namespace KernelGen.Generator.Emit.Gpu;

/// <summary>
/// Writes the public Forward overloads of the Gpu class: over views already on the accelerator (enqueued on its
/// default stream), with per-sequence key lengths, with the log-sum-exp too for softmax, and over host spans (copied
/// over and back, waited for).
/// </summary>
internal static class GpuEntryPointEmitter
{
    public static void Emit(IndentedWriter writer, AttentionSpec spec)
    {
        writer.Write("""
            /// <summary>
            /// Enqueues attention over <c>[batch, heads, seq, headDim]</c> views on <paramref name="accelerator"/>'s default
            /// stream (synchronize it, or copy the output back, to wait): <paramref name="q"/> and <paramref name="output"/>
            /// hold <see cref="Kernel.Heads"/> heads of <paramref name="queryLength"/> rows, <paramref name="k"/> and
            /// <paramref name="v"/> hold <see cref="Kernel.KvHeads"/> heads of <paramref name="keyLength"/> rows.
            /// </summary>
            /// <exception cref="ArgumentException">A size or view length does not fit; nothing is launched.</exception>
            public static void Forward(Accelerator accelerator, ArrayView<float> q, ArrayView<float> k, ArrayView<float> v, ArrayView<float> output,
                int batch, int queryLength, int keyLength)
            {
                Validate(q.Length, k.Length, v.Length, output.Length, logSumExpLength: null, batch, queryLength, keyLength, keyLengths: default, keyLengthsRequired: false);
                Launch(accelerator, q, k, v, output, ArrayView<float>.Empty, batch, queryLength, keyLength, keyLengths: default);
            }

            /// <summary>
            /// As the other view overload, but sequence b has only its first <c>keyLengths[b]</c> keys (a padded batch);
            /// queries align to that sequence's last valid key, and a row that sees no key outputs zeros. The lengths are
            /// copied to the accelerator, and the call waits for the kernel before it frees them.
            /// </summary>
            /// <exception cref="ArgumentException">A size, view length or key length does not fit; nothing is launched.</exception>
            public static void Forward(Accelerator accelerator, ArrayView<float> q, ArrayView<float> k, ArrayView<float> v, ArrayView<float> output,
                int batch, int queryLength, int keyLength, ReadOnlySpan<int> keyLengths)
            {
                Validate(q.Length, k.Length, v.Length, output.Length, logSumExpLength: null, batch, queryLength, keyLength, keyLengths, keyLengthsRequired: true);
                Launch(accelerator, q, k, v, output, ArrayView<float>.Empty, batch, queryLength, keyLength, keyLengths);
            }

            """);
        if (GpuWeights.IsSoftmax(spec))
        {
            writer.Write("""
                /// <summary>
                /// As the other view overloads, and writes each row's log-sum-exp ln Σ exp(scale · q·k) over its visible keys
                /// to <paramref name="logSumExp"/> (<c>[batch, heads, queryLength]</c>; −∞ for a row that sees no key).
                /// </summary>
                /// <exception cref="ArgumentException">A size, view length or key length does not fit; nothing is launched.</exception>
                public static void Forward(Accelerator accelerator, ArrayView<float> q, ArrayView<float> k, ArrayView<float> v, ArrayView<float> output,
                    ArrayView<float> logSumExp, int batch, int queryLength, int keyLength, ReadOnlySpan<int> keyLengths = default)
                {
                    Validate(q.Length, k.Length, v.Length, output.Length, logSumExp.Length, batch, queryLength, keyLength, keyLengths, keyLengthsRequired: false);
                    Launch(accelerator, q, k, v, output, logSumExp, batch, queryLength, keyLength, keyLengths);
                }

                """);
        }
        writer.Write($$"""
            /// <summary>
            /// As the view overloads, for tensors in host memory: copies them to <paramref name="accelerator"/>, runs, waits,
            /// and copies the output back. An empty <paramref name="keyLengths"/> gives every sequence keyLength keys.
            /// </summary>
            /// <exception cref="ArgumentException">A size, span length or key length does not fit; <paramref name="output"/> is untouched.</exception>
            public static void Forward(Accelerator accelerator, ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, Span<float> output,
                int batch, int queryLength, int keyLength, ReadOnlySpan<int> keyLengths = default)
            {
                Validate(q.Length, k.Length, v.Length, output.Length, logSumExpLength: null, batch, queryLength, keyLength, keyLengths, keyLengthsRequired: false);
                // A lambda cannot hold a span: the lengths travel as an array.
                int[] lengths = keyLengths.ToArray();
                AttentionGpu.ForwardOnHost(accelerator, q, k, v, output, Span<float>.Empty,
                    (qView, kView, vView, outputView, logSumExpView) => Launch(accelerator, qView, kView, vView, outputView, logSumExpView, batch, queryLength, keyLength, lengths));
            }

            private static void Validate(long qLength, long kLength, long vLength, long outputLength, long? logSumExpLength,
                int batch, int queryLength, int keyLength, ReadOnlySpan<int> keyLengths, bool keyLengthsRequired)
                => AttentionGpu.Validate(HeadDim, Heads, KvHeads, causal: {{Literals.Bool(spec.Causal)}},
                    qLength, kLength, vLength, outputLength, logSumExpLength, batch, queryLength, keyLength, keyLengths, keyLengthsRequired);

            /// <summary>The shape AttentionGpu.Run launches the kernel with.</summary>
            private static readonly AttentionGpuLayout Layout = new(HeadDim, Heads, KvHeads, RowsPerGroup, ThreadsPerGroup, TileKv,
                SplitKeys: {{Literals.Bool(GpuWeights.IsSoftmax(spec))}}, LinearChunk: {{(GpuLinearStates.Applies(spec) ? "LinearChunk" : "0")}});

            /// <summary>Loads the kernel once per accelerator and runs it.</summary>
            private static void Launch(Accelerator accelerator, ArrayView<float> q, ArrayView<float> k, ArrayView<float> v, ArrayView<float> output,
                ArrayView<float> logSumExp, int batch, int queryLength, int keyLength, ReadOnlySpan<int> keyLengths)
            {
                var kernel = GpuKernelCache.GetOrLoad(accelerator, typeof(Gpu), nameof(AttentionKernel), static loading =>
                    loading.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
                        ArrayView<float>, ArrayView<float>, ArrayView<int>, AttentionGpuParameters>(AttentionKernel));
                AttentionGpu.Run(accelerator, kernel, Layout, q, k, v, output, logSumExp, batch, queryLength, keyLength, keyLengths{{(GpuLinearStates.Applies(spec) ? ",\n                    GpuKernelCache.GetOrLoad(accelerator, typeof(Gpu), nameof(LinearStateKernel), static loading =>\n                        loading.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, AttentionGpuParameters>(LinearStateKernel))" : "")}});
            }
            """);
    }
}

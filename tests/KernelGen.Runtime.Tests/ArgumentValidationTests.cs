using System;
using System.Collections.Generic;
using System.Linq;
using KernelGen.Runtime.Tests.Kernels;
using Xunit;

namespace KernelGen.Runtime.Tests;

/// <summary>
/// Bad calls throw an <see cref="ArgumentException"/> naming the offending parameter, before anything is written:
/// the output, filled with a sentinel beforehand, must come back untouched in every element.
/// </summary>
public sealed class ArgumentValidationTests
{
    private const float Sentinel = 123f;
    private const int Batch = 2, QueryLength = 5, KeyLength = 7;

    /// <summary>A bad call: what it changes from a valid one, and the parameter the exception must name.</summary>
    private sealed record BadCall(string ExpectedParam, bool CausalOnly = false,
        int QDelta = 0, int KDelta = 0, int VDelta = 0, int OutputDelta = 0,
        int? Batch = null, int? QueryLength = null, int? KeyLength = null, int[]? KeyLengths = null);

    private static readonly Dictionary<string, BadCall> BadCalls = new()
    {
        ["q one short"] = new("q", QDelta: -1),
        ["q one long"] = new("q", QDelta: 1),
        ["k one short"] = new("k", KDelta: -1),
        ["k a row long"] = new("k", KDelta: 8),
        ["v one short"] = new("v", VDelta: -1),
        ["v one long"] = new("v", VDelta: 1),
        ["output one short"] = new("output", OutputDelta: -1),
        ["output one long"] = new("output", OutputDelta: 1),
        ["batch 0"] = new("batch", Batch: 0),
        ["batch -1"] = new("batch", Batch: -1),
        ["batch larger than the spans"] = new("q", Batch: Batch + 1),
        ["queryLength 0"] = new("queryLength", QueryLength: 0),
        ["queryLength -2"] = new("queryLength", QueryLength: -2),
        ["keyLength 0"] = new("keyLength", KeyLength: 0),
        ["keyLength -1"] = new("keyLength", KeyLength: -1),
        ["queryLength > keyLength under Causal"] = new("queryLength", CausalOnly: true, QueryLength: KeyLength + 1),
        ["keyLengths one short"] = new("keyLengths", KeyLengths: [KeyLength]),
        ["keyLengths one long"] = new("keyLengths", KeyLengths: [KeyLength, KeyLength, KeyLength]),
        ["keyLengths empty"] = new("keyLengths", KeyLengths: []),
        ["keyLengths negative"] = new("keyLengths", KeyLengths: [3, -1]),
        ["keyLengths past keyLength"] = new("keyLengths", KeyLengths: [KeyLength + 1, 2]),
        ["keyLengths int.MinValue"] = new("keyLengths", KeyLengths: [int.MinValue, 2]),
        ["q short with keyLengths"] = new("q", QDelta: -1, KeyLengths: [KeyLength, 3]),
        ["output short with keyLengths"] = new("output", OutputDelta: -1, KeyLengths: [KeyLength, 3]),
        ["batch 0 with keyLengths"] = new("batch", Batch: 0, KeyLengths: []),
        ["keyLength 0 with keyLengths"] = new("keyLength", KeyLength: 0, KeyLengths: [0, 0]),
    };

    public static IEnumerable<object[]> Cases()
    {
        foreach (string id in KernelCatalog.AllIds)
        {
            bool causal = KernelCatalog.Get(id).Config.Causal;
            foreach ((string name, BadCall call) in BadCalls)
            {
                if (!call.CausalOnly || causal)
                    yield return [id, name];
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Rejects_bad_call_and_leaves_output_untouched(string kernelId, string callName)
    {
        IAttentionKernel kernel = KernelCatalog.Get(kernelId);
        BadCall call = BadCalls[callName];
        AttentionConfig config = kernel.Config;
        int d = config.HeadDim, heads = config.Heads, kvHeads = config.KvHeads == 0 ? heads : config.KvHeads;
        int queryLength = call.QueryLength ?? QueryLength;
        int keyLength = call.KeyLength ?? KeyLength;
        // Spans are sized for the valid call (with the bad lengths where those are positive), then nudged.
        int rowsQ = Math.Max(queryLength, 1), rowsK = Math.Max(keyLength, 1);
        float[] q = new float[Batch * heads * rowsQ * d + call.QDelta];
        float[] k = new float[Batch * kvHeads * rowsK * d + call.KDelta];
        float[] v = new float[Batch * kvHeads * rowsK * d + call.VDelta];
        float[] output = Enumerable.Repeat(Sentinel, Batch * heads * rowsQ * d + call.OutputDelta).ToArray();
        int batch = call.Batch ?? Batch;

        ArgumentException exception = Assert.ThrowsAny<ArgumentException>(() =>
        {
            if (call.KeyLengths is null)
                kernel.Forward(q, k, v, output, batch, queryLength, keyLength);
            else
                kernel.Forward(q, k, v, output, batch, queryLength, keyLength, call.KeyLengths);
        });

        Assert.Equal(call.ExpectedParam, exception.ParamName);
        for (int i = 0; i < output.Length; i++)
            Assert.True(output[i] == Sentinel, $"{kernel.Name}, {callName}: output[{i}] was overwritten with {output[i]}");
    }

    /// <summary>The sizes used above are valid as they are: the same spans without the nudge are accepted.</summary>
    [Theory]
    [MemberData(nameof(KernelAccuracyTests.KernelIds), MemberType = typeof(KernelAccuracyTests))]
    public void The_unmodified_call_is_accepted(string kernelId)
    {
        IAttentionKernel kernel = KernelCatalog.Get(kernelId);
        AttentionConfig config = kernel.Config;
        int d = config.HeadDim, heads = config.Heads, kvHeads = config.KvHeads == 0 ? heads : config.KvHeads;
        float[] q = new float[Batch * heads * QueryLength * d];
        float[] k = new float[Batch * kvHeads * KeyLength * d];
        float[] v = new float[Batch * kvHeads * KeyLength * d];
        float[] output = Enumerable.Repeat(Sentinel, q.Length).ToArray();

        kernel.Forward(q, k, v, output, Batch, QueryLength, KeyLength);
        Assert.DoesNotContain(Sentinel, output);
        output.AsSpan().Fill(Sentinel);
        kernel.Forward(q, k, v, output, Batch, QueryLength, KeyLength, [KeyLength, 0]);
        Assert.DoesNotContain(Sentinel, output);
    }

    /// <summary>
    /// The per-sequence overload does not require queryLength ≤ keyLength even when causal: queries align to each
    /// sequence's own last key, and rows at negative positions are zero.
    /// </summary>
    [Fact]
    public void Per_sequence_causal_accepts_more_queries_than_keys()
    {
        IAttentionKernel kernel = Softmax64Causal.Kernel.Instance;
        var shape = new Shape(2, 9, 4, [4, 2]);
        var inputs = new TestInputs(kernel.Config, shape, seed: 3);
        float[] output = inputs.Run(kernel);
        Accuracy.AssertMatches(kernel.Name, AttentionKind.Softmax, output, inputs.Reference(), 64);
    }

    /// <summary>The static Forward the generator adds to the declared class checks its arguments the same way.</summary>
    [Fact]
    public void Generated_static_Forward_rejects_and_leaves_output_untouched()
    {
        const int d = 64, heads = 8, kvHeads = 2;
        float[] q = new float[heads * 3 * d], k = new float[kvHeads * 3 * d], v = new float[kvHeads * 3 * d];
        float[] output = Enumerable.Repeat(Sentinel, q.Length + 1).ToArray();

        var exception = Assert.ThrowsAny<ArgumentException>(() => Softmax64GqaCausalTile32x8.Forward(q, k, v, output, 1, 3, 3));
        Assert.Equal("output", exception.ParamName);
        exception = Assert.ThrowsAny<ArgumentException>(() => Softmax64GqaCausalTile32x8.Forward(q, k, v, output.AsSpan(1), 1, 3, 3, [4]));
        Assert.Equal("keyLengths", exception.ParamName);
        exception = Assert.ThrowsAny<ArgumentException>(() => Softmax64GqaCausalTile32x8.Forward(k, q, v, output.AsSpan(1), 1, 3, 3));
        Assert.Equal("q", exception.ParamName);
        Assert.All(output, x => Assert.Equal(Sentinel, x));
    }
}

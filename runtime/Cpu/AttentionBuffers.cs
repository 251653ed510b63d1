using System;

namespace KernelGen;

/// <summary>
/// The tensors of one kernel call, pinned for its duration, as the pieces of <see cref="AttentionWorkers"/> see them.
/// <see cref="Workspace"/> is scratch shared by the call's phases (e.g. keys packed once for all query tiles).
/// </summary>
public readonly unsafe struct AttentionBuffers
{
    private readonly float* _q, _k, _v, _output, _workspace, _logSumExp;
    private readonly int* _keyLengths;
    private readonly int _qLength, _kLength, _vLength, _outputLength, _workspaceLength, _keyLengthsCount, _logSumExpLength;

    internal AttentionBuffers(float* q, int qLength, float* k, int kLength, float* v, int vLength, float* output, int outputLength,
        float* workspace, int workspaceLength, int* keyLengths, int keyLengthsCount, float* logSumExp, int logSumExpLength,
        int batch, int queryLength, int keyLength)
    {
        _q = q;
        _k = k;
        _v = v;
        _output = output;
        _workspace = workspace;
        _keyLengths = keyLengths;
        _logSumExp = logSumExp;
        (_qLength, _kLength, _vLength, _outputLength) = (qLength, kLength, vLength, outputLength);
        (_workspaceLength, _keyLengthsCount, _logSumExpLength) = (workspaceLength, keyLengthsCount, logSumExpLength);
        (Batch, QueryLength, KeyLength) = (batch, queryLength, keyLength);
    }

    /// <summary>Sequences in the batch.</summary>
    public int Batch { get; }

    /// <summary>Query rows per head.</summary>
    public int QueryLength { get; }

    /// <summary>Key rows per head (padding included).</summary>
    public int KeyLength { get; }

    /// <summary>The queries.</summary>
    public ReadOnlySpan<float> Q => new(_q, _qLength);

    /// <summary>The keys.</summary>
    public ReadOnlySpan<float> K => new(_k, _kLength);

    /// <summary>The values.</summary>
    public ReadOnlySpan<float> V => new(_v, _vLength);

    /// <summary>The output; each piece writes only its own rows.</summary>
    public Span<float> Output => new(_output, _outputLength);

    /// <summary>
    /// Where the call writes each query row's log-sum-exp, <c>[batch, heads, queryLength]</c>; empty when the caller
    /// did not ask for it.
    /// </summary>
    public Span<float> LogSumExp => new(_logSumExp, _logSumExpLength);

    /// <summary>The call's shared scratch.</summary>
    public Span<float> Workspace => new(_workspace, _workspaceLength);

    /// <summary>Keys of sequence <paramref name="b"/> that are not padding.</summary>
    public int ValidKeys(int b) => _keyLengthsCount == 0 ? KeyLength : _keyLengths[b];
}

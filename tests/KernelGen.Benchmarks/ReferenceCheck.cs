using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using KernelGen;

namespace KernelGen.Benchmarks;

/// <summary>
/// KernelGen's float64 <see cref="ReferenceAttention"/> on blocks of query rows of a case's benchmark input, and
/// the check of any output against it: max |out − ref| ≤ <see cref="Tolerance"/> over the checked rows.
/// </summary>
/// <remarks>
/// The reference walks every (query, key) pair in float64, which takes minutes for N = 16384. So for long inputs it
/// runs on blocks of rows (the first, a middle and the last block, every head): a block of rows [s, s + r) is the
/// whole problem restricted to those queries and, when causal, to the keys before the block's last position — the
/// same bottom-right alignment puts them at their positions, so the block's reference rows are exactly the full
/// problem's. Short inputs are checked on every row. Before timing, a kernel is checked by running it on each
/// block's sub-problem (<see cref="CheckOnBlocks"/>), or on the whole input when it is cheap; after timing, the
/// output of the timed calls is checked on the same rows (<see cref="MaxError(float[])"/>).
/// </remarks>
public sealed class ReferenceCheck
{
    public const double Tolerance = 1e-4;

    /// <summary>One block of query rows: its sub-problem's inputs and its float64 reference rows.</summary>
    private sealed record Block(int Start, int Count, int KeyEnd, float[] Q, float[] K, float[] V, double[] Reference);

    private readonly BenchCase _case;
    private readonly Block[] _blocks;

    public int CheckedRows => _blocks.Sum(b => b.Count);

    /// <summary>True when the blocks are the whole problem (every row checked).</summary>
    public bool EveryRow => _blocks.Length == 1 && _blocks[0].Count == _case.QueryLength;

    public ReferenceCheck(BenchCase c, float[] q, float[] k, float[] v, int blockRows)
    {
        _case = c;
        int nq = c.QueryLength;
        var starts = nq <= 3 * blockRows
            ? new[] { (0, nq) }
            : new[] { (0, blockRows), (nq / 2 - blockRows / 2, blockRows), (nq - blockRows, blockRows) };
        _blocks = new Block[starts.Length];
        Parallel.For(0, starts.Length, i => _blocks[i] = MakeBlock(q, k, v, starts[i].Item1, starts[i].Item2));
    }

    /// <summary>The largest |output − reference| over the checked rows of a full output (NaN if any is NaN).</summary>
    public double MaxError(float[] output)
    {
        double max = 0;
        foreach (Block block in _blocks)
        {
            double error = MaxError(output, _case.QueryLength, block.Start, block);
            if (double.IsNaN(error))
                return double.NaN;
            max = Math.Max(max, error);
        }
        return max;
    }

    /// <summary>
    /// Runs <paramref name="forward"/> on each block's sub-problem (the block's query rows against its keys, the
    /// same computation as those rows of the full problem) and returns the largest error and the seconds it took.
    /// </summary>
    public (double MaxError, double Seconds) CheckOnBlocks(ForwardFn forward)
    {
        double max = 0, seconds = 0;
        foreach (Block block in _blocks)
        {
            var output = new float[block.Q.Length];
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            forward(block.Q, block.K, block.V, output, BenchCase.Batch, block.Count, block.KeyEnd);
            seconds += System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalSeconds;
            double error = MaxError(output, block.Count, 0, block);
            max = double.IsNaN(error) || double.IsNaN(max) ? double.NaN : Math.Max(max, error);
        }
        return (max, seconds);
    }

    /// <summary>
    /// Work of the blocks relative to the whole problem, to scale a block-run time to a full call: visible
    /// (query, key) pairs for softmax attention; state updates plus read-outs for linear attention.
    /// </summary>
    public double WorkFraction()
    {
        BenchCase c = _case;
        if (c.Config.Kind == AttentionKind.Linear)
            return _blocks.Sum(b => (double)b.KeyEnd + b.Count) / (2.0 * c.KeyLength);
        double whole = VisiblePairs(0, c.QueryLength, c.QueryLength, c.KeyLength);
        return _blocks.Sum(b => VisiblePairs(0, b.Count, b.Count, b.KeyEnd)) / whole;
    }

    public static bool Passes(double maxError) => maxError <= Tolerance; // false for NaN

    private double VisiblePairs(int from, int to, int queryLength, int keyLength)
    {
        double pairs = 0;
        int w = _case.Config.Window;
        for (int i = from; i < to; i++)
        {
            int p = i + keyLength - queryLength;
            int first = w > 0 ? Math.Max(0, p - w + 1) : 0;
            int end = _case.Config.Causal ? p + 1 : (w > 0 ? Math.Min(keyLength, p + w) : keyLength);
            pairs += Math.Max(0, Math.Min(end, keyLength) - first);
        }
        return pairs;
    }

    private double MaxError(float[] output, int outputRows, int outputStart, Block block)
    {
        int h = _case.Heads, d = _case.HeadDim;
        double max = 0;
        for (int head = 0; head < h; head++)
        {
            for (int r = 0; r < block.Count; r++)
            {
                int outRow = (head * outputRows + outputStart + r) * d, refRow = (head * block.Count + r) * d;
                for (int a = 0; a < d; a++)
                {
                    double error = Math.Abs(output[outRow + a] - block.Reference[refRow + a]);
                    if (double.IsNaN(error))
                        return double.NaN;
                    max = Math.Max(max, error);
                }
            }
        }
        return max;
    }

    private Block MakeBlock(float[] q, float[] k, float[] v, int start, int count)
    {
        BenchCase c = _case;
        int h = c.Heads, hkv = c.KvHeads, d = c.HeadDim, nq = c.QueryLength, nkv = c.KeyLength;
        if (start == 0 && count == nq)
            return new Block(0, nq, nkv, q, k, v, ReferenceAttention.Forward(c.Config, q, k, v, BenchCase.Batch, nq, nkv));

        // Keys 0 .. keyEnd−1; a causal row at position p sees none after p, so the block needs none after its last.
        // Not causal, positions only matter for a window, so unwindowed blocks keep every key.
        if (!c.Config.Causal && c.Config.Window > 0)
            throw new NotSupportedException("row blocks of a non-causal window are not supported; check every row");
        int keyEnd = c.Config.Causal ? start + count + nkv - nq : nkv;
        var subQ = new float[h * count * d];
        for (int head = 0; head < h; head++)
            Array.Copy(q, (head * nq + start) * d, subQ, head * count * d, count * d);
        var subK = new float[hkv * keyEnd * d];
        var subV = new float[hkv * keyEnd * d];
        for (int head = 0; head < hkv; head++)
        {
            Array.Copy(k, head * nkv * d, subK, head * keyEnd * d, keyEnd * d);
            Array.Copy(v, head * nkv * d, subV, head * keyEnd * d, keyEnd * d);
        }
        double[] reference = ReferenceAttention.Forward(c.Config, subQ, subK, subV, BenchCase.Batch, count, keyEnd);
        return new Block(start, count, keyEnd, subQ, subK, subV, reference);
    }
}

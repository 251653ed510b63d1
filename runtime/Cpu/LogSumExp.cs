namespace KernelGen;

/// <summary>
/// Turns a softmax row's running state into its log-sum-exp. Kernels keep scores pre-multiplied by log₂e and use
/// exp2, so a row ends with a base-2 maximum m and a sum l = Σ exp2(s − m); its natural log-sum-exp is ln 2 · (m + log₂ l).
/// </summary>
public static class LogSumExp
{
    private const float Ln2 = 0.6931471805599453f;

    /// <summary>ln 2 · (<paramref name="max"/> + log₂ <paramref name="sum"/>), or −∞ for a row that saw no key (l = 0).</summary>
    public static float FromBase2(float max, float sum)
        => sum > 0f ? (max + float.Log2(sum)) * Ln2 : float.NegativeInfinity;
}

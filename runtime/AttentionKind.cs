namespace KernelGen;

/// <summary>How attention turns query–key similarity into weights.</summary>
public enum AttentionKind
{
    /// <summary>Scaled dot-product attention: weights are softmax(scale · q·k) over the visible keys.</summary>
    Softmax = 0,

    /// <summary>
    /// Linear attention with the feature map φ(x) = elu(x) + 1: o = Σ (φ(q)·φ(k)) v / (Σ φ(q)·φ(k) + 1e-6),
    /// the sums running over the visible keys.
    /// </summary>
    Linear = 1,
}

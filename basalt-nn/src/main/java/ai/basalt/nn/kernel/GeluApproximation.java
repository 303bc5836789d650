package ai.basalt.nn.kernel;

/** The {@code approximate} argument of {@code torch.nn.GELU}. */
public enum GeluApproximation {
    /** x · Φ(x) with the exact normal CDF, through erf. */
    NONE,
    /** 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³))), the form GPT-2 was trained with. */
    TANH
}

package ai.basalt.nn.kernel;

/**
 * Element-wise functions with their derivatives: the primitives that fused ops are checked against
 * (tinygrad's {@code gradient.py} pattern). Each derivative is written in terms of the input x and, where
 * cheaper, the output y = f(x).
 */
public enum Unary {
    EXP {
        @Override public float apply(float x) { return (float) Math.exp(x); }
        @Override public float derivative(float x, float y) { return y; }
    },
    LOG {
        @Override public float apply(float x) { return (float) Math.log(x); }
        @Override public float derivative(float x, float y) { return 1f / x; }
    },
    TANH {
        @Override public float apply(float x) { return (float) Math.tanh(x); }
        @Override public float derivative(float x, float y) { return 1f - y * y; }
    },
    SIGMOID {
        @Override public float apply(float x) { return SwiGluKernel.sigmoid(x); }
        @Override public float derivative(float x, float y) { return y * (1f - y); }
    },
    /** 1/√x. */
    RSQRT {
        @Override public float apply(float x) { return (float) (1.0 / Math.sqrt(x)); }
        @Override public float derivative(float x, float y) { return -0.5f * y * y * y; }
    },
    SQRT {
        @Override public float apply(float x) { return (float) Math.sqrt(x); }
        @Override public float derivative(float x, float y) { return 0.5f / y; }
    },
    SQUARE {
        @Override public float apply(float x) { return x * x; }
        @Override public float derivative(float x, float y) { return 2f * x; }
    },
    /** max(x, 0), with derivative 0 at 0 as PyTorch defines it. */
    RELU {
        @Override public float apply(float x) { return x > 0f ? x : 0f; }
        @Override public float derivative(float x, float y) { return x > 0f ? 1f : 0f; }
    },
    /** The exact normal CDF, Φ(x) = (1 + erf(x/√2)) / 2. */
    NORMAL_CDF {
        @Override public float apply(float x) { return (float) (0.5 * (1.0 + GeluKernel.erf(x / Math.sqrt(2.0)))); }
        @Override public float derivative(float x, float y) { return (float) (Math.exp(-0.5 * x * x) / Math.sqrt(2.0 * Math.PI)); }
    };

    /** f(x). */
    public abstract float apply(float x);

    /** f′(x), given x and y = f(x). */
    public abstract float derivative(float x, float y);
}

package ai.basalt.nn.optim;

/**
 * Linear warm-up, then cosine decay to a floor: nanoGPT's {@code get_lr} line for line.
 * <pre>
 *   it &lt; warmup        : maxLr · (it + 1) / (warmup + 1)
 *   it &gt; decayIters    : minLr
 *   otherwise          : minLr + 0.5 · (1 + cos(π · (it − warmup) / (decayIters − warmup))) · (maxLr − minLr)
 * </pre>
 */
public record CosineSchedule(double maxLr, double minLr, long warmupIters, long decayIters) implements LrSchedule {
    public CosineSchedule {
        if (!(maxLr >= 0 && minLr >= 0)) throw new IllegalArgumentException("learning rates " + maxLr + ", " + minLr + " must be at least 0");
        if (warmupIters < 0) throw new IllegalArgumentException("warm-up of " + warmupIters + " iterations is negative");
        if (decayIters <= warmupIters) {
            throw new IllegalArgumentException("decay ends at iteration " + decayIters + ", not after the warm-up of " + warmupIters);
        }
    }

    @Override
    public double lr(long it) {
        if (it < warmupIters) return maxLr * (it + 1) / (warmupIters + 1);
        if (it > decayIters) return minLr;
        double decayRatio = (double) (it - warmupIters) / (decayIters - warmupIters);
        double coeff = 0.5 * (1.0 + Math.cos(Math.PI * decayRatio));
        return minLr + coeff * (maxLr - minLr);
    }
}

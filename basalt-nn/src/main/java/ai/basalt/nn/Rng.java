package ai.basalt.nn;

/**
 * A seeded random generator whose whole state is one {@code long}, so a trainer can save it in a
 * checkpoint and {@link #restore} it for an exact resume. The algorithm is SplitMix64 (Steele, Lea and
 * Flood 2014, the generator behind {@link java.util.SplittableRandom}): the state advances by a fixed odd
 * constant and each output is a mix of the new state. Gaussians come from the Box–Muller transform with
 * no cached spare, so no hidden state exists.
 */
public final class Rng {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private long state;

    public Rng(long seed) {
        this.state = seed;
    }

    /** The whole state; {@code new Rng(0).restore(s)} continues exactly where this one is. */
    public long state() {
        return state;
    }

    public void restore(long state) {
        this.state = state;
    }

    /** A uniformly random long. */
    public long nextLong() {
        state += GOLDEN;
        long z = state;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform in [0, 1) with 24 random bits. */
    public float nextFloat() {
        return (nextLong() >>> 40) * 0x1.0p-24f;
    }

    /** Uniform in [0, bound), without modulo bias (Lemire 2019). */
    public int nextInt(int bound) {
        if (bound <= 0) throw new IllegalArgumentException("bound " + bound + " must be positive");
        long m = (nextLong() >>> 32) * bound;
        long low = m & 0xFFFFFFFFL;
        if (low < bound) {
            long threshold = (0x1_0000_0000L - bound) % bound;
            while (low < threshold) {
                m = (nextLong() >>> 32) * bound;
                low = m & 0xFFFFFFFFL;
            }
        }
        return (int) (m >>> 32);
    }

    /** A standard normal value (Box–Muller; two uniforms per value). */
    public double nextGaussian() {
        double u1 = 1.0 - nextDouble(); // in (0, 1], so the log is finite
        double u2 = nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    /** An independent generator seeded from this one (for per-layer or per-worker streams). */
    public Rng split() {
        return new Rng(nextLong());
    }
}

package ai.basalt.train.data;

/**
 * SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014): a generator
 * whose whole state is one long, so a data loader's position in its random stream is saved and restored exactly.
 */
final class SplitMix64 {
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private long state;

    SplitMix64(long state) {
        this.state = state;
    }

    long state() {
        return state;
    }

    void setState(long state) {
        this.state = state;
    }

    long nextLong() {
        state += GOLDEN_GAMMA;
        return mix(state);
    }

    /** A uniform long in {@code [0, bound)}, without modulo bias (rejection as in {@code java.util.Random}). */
    long nextLong(long bound) {
        if (bound <= 0) throw new IllegalArgumentException("bound " + bound + " is not positive");
        long m = bound - 1;
        long r = nextLong();
        if ((bound & m) == 0) return r & m;
        for (long u = r >>> 1; u + m - (r = u % bound) < 0; u = nextLong() >>> 1) {
            // rejected: u fell in the incomplete last interval
        }
        return r;
    }

    /** A well-mixed hash of {@code x} (the generator's output function). */
    static long mix(long x) {
        long z = x;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A uniform double in {@code [0, 1)} from hash {@code h}. */
    static double unit(long h) {
        return (h >>> 11) * 0x1.0p-53;
    }

    static long seedState(long seed) {
        return mix(seed ^ GOLDEN_GAMMA);
    }
}

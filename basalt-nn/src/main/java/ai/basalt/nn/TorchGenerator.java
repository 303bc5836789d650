package ai.basalt.nn;

/**
 * PyTorch's default CPU generator, draw for draw: {@code torch.manual_seed(s)} followed by the calls a training
 * script makes ({@code torch.randint}, {@code Tensor.uniform_}, {@code Tensor.normal_}) gives the same stream here,
 * so a model can start from PyTorch's very weights and see PyTorch's very batches.
 *
 * <p>The engine is the 32-bit Mersenne Twister (MT19937, Matsumoto and Nishimura 1998) seeded with the low 32 bits
 * of the seed by the reference {@code init_genrand} recurrence, as ATen's {@code at::mt19937}. On top of it, the
 * distributions of ATen's CPU kernels (PyTorch 1.13):
 * <ul>
 *   <li>{@link #randint}: {@code random() % high} for {@code high < 2³²}, else {@code random64() % high}, where
 *       {@code random64} joins two draws, the first as the high half.
 *   <li>{@link #uniform}: per element, the low 24 bits of one draw times 2⁻²⁴, scaled to {@code [from, to)}.
 *   <li>{@link #normal}: a tensor of at least 16 elements is first filled with uniforms, then Box–Muller runs on
 *       groups of 16 (element j and j + 8 of a group share a pair); when the size is not a multiple of 16 the last 16
 *       elements are drawn again and transformed once more, so such a tensor consumes {@code n + 16} draws.
 * </ul>
 * PyTorch's AVX2 build evaluates the logarithm, sine and cosine of the Box–Muller step with polynomial
 * approximations; this class uses {@link Math}'s, so normal values agree to a few units in the last place and every
 * other value exactly. Smaller tensors take PyTorch's scalar double path, which this class does not follow
 * ({@link #normal} refuses them).
 *
 * <p>The state is the seed and the number of 32-bit draws taken ({@link #draws()}); {@link #replay} rebuilds a
 * generator at any such point, which is how a checkpoint saves it. Not thread-safe.
 */
public final class TorchGenerator {
    private static final int N = 624;
    private static final int M = 397;
    private static final int MATRIX_A = 0x9908B0DF;
    private static final int UPPER_MASK = 0x80000000;
    private static final int LOWER_MASK = 0x7FFFFFFF;

    private final long seed;
    private final int[] mt = new int[N];
    private int index;
    private long draws;

    /** {@code torch.manual_seed(seed)}: a fresh generator. */
    public TorchGenerator(long seed) {
        this.seed = seed;
        reseed();
    }

    /** Back to the state right after seeding: the reference {@code init_genrand} recurrence over the low 32 bits. */
    private void reseed() {
        mt[0] = (int) seed;
        for (int i = 1; i < N; i++) {
            mt[i] = 1812433253 * (mt[i - 1] ^ (mt[i - 1] >>> 30)) + i;
        }
        index = N;
        draws = 0;
    }

    /** The generator of {@code seed} after {@code draws} 32-bit draws. */
    public static TorchGenerator replay(long seed, long draws) {
        if (draws < 0) throw new IllegalArgumentException("draw count " + draws + " is negative");
        TorchGenerator g = new TorchGenerator(seed);
        g.seek(draws);
        return g;
    }

    public long seed() {
        return seed;
    }

    /** 32-bit draws taken since seeding. */
    public long draws() {
        return draws;
    }

    /** Moves to the point after {@code draws} draws since seeding, forwards by drawing, backwards by reseeding. */
    public void seek(long draws) {
        if (draws < 0) throw new IllegalArgumentException("draw count " + draws + " is negative");
        if (draws < this.draws) reseed();
        skip(draws - this.draws);
    }

    /** Discards {@code n} draws. */
    public void skip(long n) {
        for (long i = 0; i < n; i++) random();
    }

    /** The next 32-bit output, as an unsigned value in a long ({@code generator->random()}). */
    public long random() {
        if (index >= N) twist();
        int y = mt[index++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9D2C5680;
        y ^= (y << 15) & 0xEFC60000;
        y ^= y >>> 18;
        draws++;
        return y & 0xFFFFFFFFL;
    }

    /** Two draws joined, the first as the high 32 bits ({@code generator->random64()}). */
    public long random64() {
        long hi = random();
        long lo = random();
        return (hi << 32) | lo;
    }

    /** {@code torch.randint(high, ())}: uniform in {@code [0, high)}, with PyTorch's modulo. */
    public long randint(long high) {
        if (high <= 0) throw new IllegalArgumentException("randint bound " + high + " must be positive");
        if (high < (1L << 32)) return random() % high;
        return Long.remainderUnsigned(random64(), high);
    }

    /** {@code tensor.uniform_(from, to)} over {@code out[offset, offset + n)} in memory order. */
    public void uniform(float[] out, int offset, int n, float from, float to) {
        for (int i = 0; i < n; i++) out[offset + i] = uniformFloat(from, to);
    }

    /**
     * {@code tensor.normal_(mean, std)} over {@code out[offset, offset + n)} in memory order.
     *
     * @throws IllegalArgumentException if {@code n < 16} (PyTorch's scalar path, not reproduced)
     */
    public void normal(float[] out, int offset, int n, float mean, float std) {
        if (n < 16) {
            throw new IllegalArgumentException("normal fill of " + n + " elements: PyTorch draws fewer than 16 "
                    + "on another path, which is not reproduced");
        }
        for (int i = 0; i < n; i++) out[offset + i] = uniformFloat(0f, 1f);
        for (int i = 0; i + 16 <= n; i += 16) boxMuller16(out, offset + i, mean, std);
        if (n % 16 != 0) {
            int last = offset + n - 16;
            for (int i = 0; i < 16; i++) out[last + i] = uniformFloat(0f, 1f);
            boxMuller16(out, last, mean, std);
        }
    }

    /** Takes the draws of {@code uniform} over {@code n} elements without computing them. */
    public void skipUniform(long n) {
        skip(n);
    }

    /** Takes the draws of {@code normal} over {@code n} elements without computing them. */
    public void skipNormal(long n) {
        if (n < 16) throw new IllegalArgumentException("normal fill of " + n + " elements is not reproduced");
        skip(n % 16 == 0 ? n : n + 16);
    }

    private float uniformFloat(float from, float to) {
        float x = (random() & 0xFFFFFF) * 0x1.0p-24f;
        return x * (to - from) + from;
    }

    /** ATen's normal_fill_16: pairs (j, j + 8) of 16 uniforms become two normals each. */
    private static void boxMuller16(float[] data, int at, float mean, float std) {
        for (int j = 0; j < 8; j++) {
            float u1 = 1f - data[at + j];
            float u2 = data[at + j + 8];
            float radius = (float) Math.sqrt(-2f * (float) Math.log(u1));
            float theta = (float) (2.0 * Math.PI * u2);
            data[at + j] = radius * (float) Math.cos(theta) * std + mean;
            data[at + j + 8] = radius * (float) Math.sin(theta) * std + mean;
        }
    }

    private void twist() {
        for (int i = 0; i < N; i++) {
            int y = (mt[i] & UPPER_MASK) | (mt[(i + 1) % N] & LOWER_MASK);
            int v = mt[(i + M) % N] ^ (y >>> 1);
            if ((y & 1) != 0) v ^= MATRIX_A;
            mt[i] = v;
        }
        index = 0;
    }
}

package ai.basalt.tensor;

/**
 * Chooses the GEMM implementation: the Vector API one ({@link VectorGemm}) where the JVM has the incubator
 * module and a usable SIMD width, else the scalar reference. It follows the same knob as the kernels
 * ({@link TensorOpsProvider}): {@code -Dbasalt.ops=scalar} forces the reference.
 */
final class GemmProvider {
    private GemmProvider() {}

    private static final class Holder {
        static final Gemm BEST = choose(System.getProperty("basalt.ops"));
    }

    static Gemm best() {
        return Holder.BEST;
    }

    /** The GEMM for the {@code basalt.ops} setting {@code requested} (null when unset). */
    static Gemm choose(String requested) {
        if ("scalar".equals(requested)) return ScalarGemm.INSTANCE;
        try {
            return VectorGemm.create();
        } catch (LinkageError | RuntimeException e) {
            System.err.println("basalt: Vector API unavailable for GEMM (" + e.getMessage()
                    + "); using the scalar reference. Run with --add-modules jdk.incubator.vector.");
            return ScalarGemm.INSTANCE;
        }
    }
}

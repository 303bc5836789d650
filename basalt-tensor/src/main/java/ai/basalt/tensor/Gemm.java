package ai.basalt.tensor;

/**
 * General matrix multiply on row-major float arrays, with BLAS {@code sgemm} semantics:
 * {@code C ← alpha · op(A) · op(B) + beta · C}, where {@code op(X)} is {@code X} or its transpose.
 *
 * <p>Shapes: {@code op(A)} is (M, K), {@code op(B)} is (K, N), {@code C} is (M, N). Each matrix is given
 * by its array, the offset of its first element and its leading dimension (the distance between the
 * starts of two consecutive rows as stored). {@code beta == 0} overwrites C without reading it (NaNs in
 * C do not propagate), as BLAS does.
 *
 * <p>Training uses it for every linear layer (forward {@code out = x · Wᵀ}, backward {@code dx = dout · W}
 * and {@code dW += doutᵀ · x}) and for attention; {@link #scalar()} is the reference kept as the test
 * oracle.
 */
public interface Gemm {

    /** A short name for logs and benchmarks. */
    String name();

    /**
     * C ← alpha · op(A) · op(B) + beta · C.
     *
     * @param transA whether op(A) = Aᵀ (A stored as (K, M))
     * @param transB whether op(B) = Bᵀ (B stored as (N, K))
     */
    void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
            float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc);

    /** The fastest implementation on this JVM. */
    static Gemm best() {
        return GemmProvider.best();
    }

    /** The scalar reference. */
    static Gemm scalar() {
        return ScalarGemm.INSTANCE;
    }
}

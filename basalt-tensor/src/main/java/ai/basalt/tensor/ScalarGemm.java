package ai.basalt.tensor;

/** The obviously-correct triple loop, accumulating each dot product in float in k order. */
final class ScalarGemm implements Gemm {
    static final ScalarGemm INSTANCE = new ScalarGemm();

    private ScalarGemm() {}

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
            float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float sum = 0f;
                for (int p = 0; p < k; p++) {
                    float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    float bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    sum += av * bv;
                }
                int at = cOff + i * ldc + j;
                c[at] = beta == 0f ? alpha * sum : alpha * sum + beta * c[at];
            }
        }
    }
}

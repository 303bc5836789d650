package ai.basalt.tensor;

/** Chooses the GEMM implementation. PLACEHOLDER until the Vector API GEMM lands: the scalar reference. */
final class GemmProvider {
    private GemmProvider() {}

    static Gemm best() {
        return ScalarGemm.INSTANCE;
    }
}

package ai.basalt.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The GEMM contract: {@link VectorGemm} and the {@link ScalarGemm} reference both agree with the product
 * formed in double precision, for all four transpose combinations, over awkward sizes that hit the tail of
 * every register tile, packing sliver and cache block (k above {@link VectorGemm#KC}, m above
 * {@link VectorGemm#MC}, n or k past one {@link VectorGemm#PANEL}), with offsets, padded leading dimensions
 * and several (alpha, beta), including beta = 0 over a NaN-filled C. The error allowed grows like √k times
 * the sum of magnitudes of the terms (as {@link TensorOpsContractTest#sumTolerance}). Elements outside the
 * m × n view of C, padding between its rows included, must be left bit for bit. Beyond tolerances, the
 * vector GEMM's exact arithmetic is pinned down, and shown not to depend on the thread count.
 */
class GemmContractTest {
    static final int[] SIZES = {1, 3, 7, 13, 31, 32, 33, 65};
    /** A depth past one B panel's even for a single sliver: the panel is cut between k blocks. */
    static final int DEEP = VectorGemm.PANEL / VectorGemmKernel.NR + 1000;
    /** (m, n, k): larger and block-crossing shapes, the training ones among them. */
    static final int[][] SHAPES = {
        {127, 207, 384}, {384, 127, 207}, {207, 384, 127}, {207, 65, 384}, {64, 64, 32}, {256, 256, 64},
        {65, 384, 768}, {200, 17, 1030}, {13, 1100, 130}, {1100, 13, 100},
        {VectorGemm.MC + 5, 40, VectorGemm.KC + 13}, {5, VectorGemm.PANEL / 3500 + 9, 3500}, {2, 3, DEEP},
    };
    /** (alpha, beta) pairs: plain product, accumulation, and general scalings. */
    static final float[][] SCALARS = {{1f, 0f}, {1f, 1f}, {-0.5f, 0.75f}, {2f, -1f}, {0.25f, 0f}};
    static final int[] PADS = {0, 3, 17};
    static final double EPS = 0x1p-24;
    static final float SENTINEL = 12345.5f;

    final Gemm fast = VectorGemm.create();
    private int savedThreads;

    @BeforeEach
    void saveThreads() {
        savedThreads = Parallel.threads();
    }

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(savedThreads);
    }

    static Stream<Arguments> transposes() {
        return Stream.of(false, true).flatMap(ta -> Stream.of(false, true).map(tb -> arguments(ta, tb)));
    }

    static Stream<Arguments> transposesAndRows() {
        return transposes().flatMap(t -> IntStream.of(SIZES).mapToObj(m -> arguments(t.get()[0], t.get()[1], m)));
    }

    static Stream<Arguments> transposesAndShapes() {
        return transposes().flatMap(t -> IntStream.range(0, SHAPES.length).mapToObj(s -> arguments(
                t.get()[0], t.get()[1], SHAPES[s][0], SHAPES[s][1], SHAPES[s][2], s)));
    }

    @ParameterizedTest(name = "transA={0} transB={1} m={2}")
    @MethodSource("transposesAndRows")
    void smallSizes(boolean transA, boolean transB, int m) {
        int variant = 0;
        for (int n : SIZES) {
            for (int k : SIZES) {
                float[] ab = SCALARS[variant % SCALARS.length];
                check(new Case(transA, transB, m, n, k, ab[0], ab[1], PADS[variant % PADS.length]));
                variant++;
            }
        }
    }

    @ParameterizedTest(name = "transA={0} transB={1} {2}x{3}x{4}")
    @MethodSource("transposesAndShapes")
    void largerShapes(boolean transA, boolean transB, int m, int n, int k, int index) {
        float[] ab = SCALARS[index % SCALARS.length];
        check(new Case(transA, transB, m, n, k, ab[0], ab[1], PADS[index % PADS.length]));
    }

    @ParameterizedTest(name = "transA={0} transB={1}")
    @MethodSource("transposes")
    void emptyDepthOrZeroAlphaLeavesBetaTimesC(boolean transA, boolean transB) {
        check(new Case(transA, transB, 7, 33, 0, 1f, 0f, 3));
        check(new Case(transA, transB, 7, 33, 0, 1f, 0.5f, 3));
        check(new Case(transA, transB, 13, 5, 0, 1f, 1f, 0));
        check(new Case(transA, transB, 13, 5, 17, 0f, -2f, 0));
        check(new Case(transA, transB, 0, 5, 17, 1f, 0f, 3));
        check(new Case(transA, transB, 5, 0, 17, 1f, 0f, 3));
    }

    /**
     * Same inputs, again and with any thread count: the same bits. The shapes give the threads items of rows
     * (300 × 200) and of columns (13 × 1100), with k over several blocks.
     */
    @ParameterizedTest(name = "transA={0} transB={1}")
    @MethodSource("transposes")
    void resultsAreBitIdenticalAcrossRunsAndThreadCounts(boolean transA, boolean transB) {
        for (int[] shape : new int[][] {{300, 200, 600}, {13, 1100, 300}}) {
            Case cs = new Case(transA, transB, shape[0], shape[1], shape[2], 1f, 1f, 3);
            float[] first = null;
            for (int threads : new int[] {1, 2, 3, 2}) {
                Parallel.setThreads(threads);
                float[] c = cs.c.clone();
                fast.gemm(transA, transB, cs.m, cs.n, cs.k, cs.alpha, cs.a, cs.aOff, cs.lda, cs.b, cs.bOff, cs.ldb,
                        cs.beta, c, cs.cOff, cs.ldc);
                if (first == null) first = c;
                assertThat(Arrays.equals(c, first)).as("%s with %d threads", cs, threads).isTrue();
            }
        }
    }

    /**
     * The training shapes (M = B·T = 768, width 128, MLP 512, a 65-token vocabulary): forward x·Wᵀ, backward
     * dout·W and doutᵀ·x accumulating into C. On one and on two threads, where the B panel is packed by
     * whichever worker claims each sliver and the items are shared out after it, each agrees with the
     * reference, and the two agree bit for bit.
     */
    @ParameterizedTest(name = "{0}{1} {2}x{3}x{4}")
    @MethodSource("trainingShapes")
    void trainingShapesOnOneAndTwoThreads(boolean transA, boolean transB, int m, int n, int k) {
        Case cs = new Case(transA, transB, m, n, k, 1f, transA || !transB ? 1f : 0f, 0);
        Parallel.setThreads(1);
        float[] one = run(fast, cs);
        check(cs);
        Parallel.setThreads(2);
        float[] two = run(fast, cs);
        check(cs);
        assertThat(Arrays.equals(one, two)).as("%s on 1 and 2 threads", cs).isTrue();
    }

    static Stream<Arguments> trainingShapes() {
        return Stream.of(
                arguments(false, true, 768, 384, 128), arguments(false, true, 768, 65, 128),
                arguments(false, true, 768, 128, 512), arguments(false, false, 768, 128, 384),
                arguments(false, false, 768, 128, 65), arguments(false, false, 768, 512, 128),
                arguments(true, false, 384, 128, 768), arguments(true, false, 128, 512, 768),
                arguments(true, false, 65, 128, 768));
    }

    /**
     * The exact arithmetic, whatever the vector width, tile or thread: per k block of
     * {@link VectorGemm#depthBlock}, one chain of fused multiply-adds in p order from zero, then
     * {@code C = alpha·acc} (beta = 0) or {@code fma(acc, alpha, beta·C)}, later blocks {@code fma(acc, alpha, C)}.
     */
    @ParameterizedTest(name = "transA={0} transB={1}")
    @MethodSource("transposes")
    void matchesItsFusedMultiplyAddChainBitForBit(boolean transA, boolean transB) {
        for (int[] shape : new int[][] {{13, 33, 7}, {37, 70, VectorGemm.KC * 2 + 9}, {2, 3, DEEP}}) {
            for (float[] ab : new float[][] {{1f, 0f}, {-0.5f, 0.75f}}) {
                Case cs = new Case(transA, transB, shape[0], shape[1], shape[2], ab[0], ab[1], 3);
                float[] actual = run(fast, cs);
                int block = VectorGemm.depthBlock(cs.k);
                for (int i = 0; i < cs.m; i++) {
                    for (int j = 0; j < cs.n; j++) {
                        int at = cs.cOff + i * cs.ldc + j;
                        float c = cs.c[at];
                        for (int p0 = 0; p0 < cs.k; p0 += block) {
                            float acc = 0f;
                            for (int p = p0; p < Math.min(cs.k, p0 + block); p++) {
                                acc = Math.fma(cs.a(i, p), cs.b(p, j), acc);
                            }
                            float beta = p0 == 0 ? cs.beta : 1f;
                            c = beta == 0f ? cs.alpha * acc : Math.fma(acc, cs.alpha, beta * c);
                        }
                        assertThat(actual[at]).as("%s: C[%d][%d]", cs, i, j).isEqualTo(c);
                    }
                }
            }
        }
    }

    /** One GEMM per task of a Parallel loop (as per attention head) runs to the end, with the same bits. */
    @Test
    void callsFromInsideAParallelLoopFinish() {
        Parallel.setThreads(2);
        Case cs = new Case(false, true, 128, 128, 256, 1f, 0f, 3);
        assertThat((long) cs.m * cs.n * cs.k).isGreaterThanOrEqualTo(VectorGemm.PARALLEL_WORK);
        float[] alone = run(fast, cs);
        float[][] perTask = new float[4][];
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> Parallel.forRows(perTask.length,
                Parallel.MIN_PARALLEL_WORK, (s, e) -> {
                    for (int t = s; t < e; t++) perTask[t] = run(fast, cs);
                }));
        for (float[] c : perTask) assertThat(Arrays.equals(c, alone)).isTrue();
    }

    @Test
    void rejectsViewsOutsideTheirArrays() {
        float[] a = new float[6];
        float[] b = new float[6];
        float[] c = new float[4];
        float[] untouched = c.clone();
        assertThatThrownBy(() -> fast.gemm(false, false, 2, 2, 3, 1f, a, 1, 3, b, 0, 2, 0f, c, 0, 2))
                .isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("gemm A");
        assertThatThrownBy(() -> fast.gemm(false, true, 2, 2, 3, 1f, a, 0, 3, b, 0, 2, 0f, c, 0, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("leading dimension 2 < row length 3");
        assertThatThrownBy(() -> fast.gemm(false, false, 2, 2, 3, 1f, a, 0, 3, b, 0, 2, 0f, c, 1, 2))
                .isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("gemm C");
        assertThatThrownBy(() -> fast.gemm(false, false, -1, 2, 3, 1f, a, 0, 3, b, 0, 2, 0f, c, 0, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("m=-1");
        assertThat(c).isEqualTo(untouched);
    }

    @Test
    void providerPicksTheVectorGemmUnlessScalarIsForced() {
        assertThat(Gemm.best()).isInstanceOf(VectorGemm.class);
        assertThat(GemmProvider.choose("scalar")).isSameAs(ScalarGemm.INSTANCE);
        assertThat(Gemm.scalar()).isSameAs(ScalarGemm.INSTANCE);
    }

    /**
     * One call's operands, stored with offset {@code 1 + pad} and leading dimension {@code cols + pad};
     * C is SENTINEL outside its view and NaN inside when beta = 0 (BLAS must not read it).
     */
    record Case(boolean transA, boolean transB, int m, int n, int k, float alpha, float beta, int pad,
            float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        Case(boolean transA, boolean transB, int m, int n, int k, float alpha, float beta, int pad) {
            this(transA, transB, m, n, k, alpha, beta, pad,
                    new Random(((31L * m + n) * 31 + k) * 4 + (transA ? 2 : 0) + (transB ? 1 : 0)));
        }

        private Case(boolean transA, boolean transB, int m, int n, int k, float alpha, float beta, int pad,
                Random rnd) {
            this(transA, transB, m, n, k, alpha, beta, pad,
                    operand(rnd, transA ? k : m, transA ? m : k, pad), 1 + pad, (transA ? m : k) + pad,
                    operand(rnd, transB ? n : k, transB ? k : n, pad), 1 + pad, (transB ? k : n) + pad,
                    output(rnd, m, n, pad, beta), 1 + pad, n + pad);
        }

        float a(int i, int p) {
            return transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
        }

        float b(int p, int j) {
            return transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
        }

        boolean inView(int at) {
            int rel = at - cOff;
            return rel >= 0 && rel / ldc < m && rel % ldc < n;
        }

        @Override
        public String toString() {
            return "gemm(transA=" + transA + ", transB=" + transB + ", " + m + "x" + n + "x" + k + ", alpha=" + alpha
                    + ", beta=" + beta + ", pad=" + pad + ")";
        }

        private static float[] operand(Random rnd, int rows, int cols, int pad) {
            float[] x = new float[1 + pad + rows * (cols + pad) + 2];
            for (int i = 0; i < x.length; i++) x[i] = rnd.nextFloat() * 2 - 1;
            return x;
        }

        private static float[] output(Random rnd, int m, int n, int pad, float beta) {
            int ldc = n + pad;
            float[] c = new float[1 + pad + m * ldc + 2];
            Arrays.fill(c, SENTINEL);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) c[1 + pad + i * ldc + j] = beta == 0f ? Float.NaN : rnd.nextFloat() * 2 - 1;
            }
            return c;
        }
    }

    private void check(Case cs) {
        float[] fastC = run(fast, cs);
        float[] scalarC = run(ScalarGemm.INSTANCE, cs);
        for (int at = 0; at < cs.c.length; at++) {
            if (!cs.inView(at)) {
                assertThat(fastC[at]).as("%s: C[%d] outside the view", cs, at).isEqualTo(SENTINEL);
                continue;
            }
            int i = (at - cs.cOff) / cs.ldc;
            int j = (at - cs.cOff) % cs.ldc;
            double sum = 0;
            double magnitude = 0;
            for (int p = 0; p < cs.k; p++) {
                double term = (double) cs.a(i, p) * cs.b(p, j);
                sum += term;
                magnitude += Math.abs(term);
            }
            double old = cs.beta == 0f ? 0 : cs.c[at];
            double exact = cs.alpha * sum + cs.beta * old;
            double scale = Math.abs(cs.alpha) * magnitude + Math.abs(cs.beta * old);
            double tolerance = EPS * (8 + 8 * Math.sqrt(cs.k)) * scale + Float.MIN_NORMAL;
            assertThat((double) fastC[at]).as("%s: vector C[%d][%d]", cs, i, j)
                    .isBetween(exact - tolerance, exact + tolerance);
            assertThat((double) scalarC[at]).as("%s: scalar C[%d][%d]", cs, i, j)
                    .isBetween(exact - tolerance, exact + tolerance);
        }
    }

    private static float[] run(Gemm gemm, Case cs) {
        float[] c = cs.c.clone();
        gemm.gemm(cs.transA, cs.transB, cs.m, cs.n, cs.k, cs.alpha, cs.a, cs.aOff, cs.lda, cs.b, cs.bOff, cs.ldb,
                cs.beta, c, cs.cOff, cs.ldc);
        return c;
    }
}

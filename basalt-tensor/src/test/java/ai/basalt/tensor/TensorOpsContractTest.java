package ai.basalt.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.IntToDoubleFunction;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The one contract every kernel backend must keep: each implementation agrees with its reference (the
 * scalar kernels with direct double-precision maths, every faster backend with the scalar kernels) over
 * awkward sizes that hit tail loops and block edges. Reductions are allowed an error relative to the sum
 * of magnitudes that grows like √n (random rounding; Lucene's TestVectorUtilSupport grows its delta with
 * size too); element-wise kernels a few units of float rounding. Offsets are never zero, and values just
 * outside the written range are checked untouched.
 */
class TensorOpsContractTest {
    static final int[] SIZES = {1, 3, 7, 13, 31, 32, 33, 207, 4098};
    /** Row lengths of block types, in blocks: one, a few, odd counts, and a long row. */
    static final int[] BLOCK_COUNTS = {1, 2, 3, 7};
    static final int LONG_ROW = 4096;
    static final int[] ROWS = {1, 3, 7};
    static final double EPS = 0x1p-24;
    static final float SENTINEL = 12345.5f;

    /** An implementation and the reference it must match. */
    record Backend(TensorOps ops, TensorOps reference) {
        @Override
        public String toString() {
            return ops.name() + " vs " + reference.name();
        }
    }

    static final List<Backend> BACKENDS = List.of(
            new Backend(ScalarTensorOps.INSTANCE, DoubleReferenceOps.INSTANCE),
            new Backend(VectorTensorOps.create(), ScalarTensorOps.INSTANCE));

    static List<Backend> backends() {
        return BACKENDS;
    }

    static Stream<Arguments> sizes() {
        return BACKENDS.stream().flatMap(b -> IntStream.of(SIZES).mapToObj(n -> arguments(b, n)));
    }

    static Stream<Arguments> ropeSizes() {
        return sizes().flatMap(a -> Stream.of(RopeMode.values()).map(m -> arguments(a.get()[0], m, a.get()[1])));
    }

    /** Every computable type, with awkward row lengths (whole blocks for block types) and odd row counts. */
    static Stream<Arguments> shapes() {
        return BACKENDS.stream().flatMap(b -> Stream.of(DType.values()).filter(DType::computable).flatMap(t ->
                IntStream.of(t.quantized() ? blockCols(t) : SIZES).boxed().flatMap(cols ->
                        IntStream.of(ROWS).mapToObj(rows -> arguments(b, t, rows, cols)))));
    }

    private static int[] blockCols(DType type) {
        return IntStream.concat(IntStream.of(BLOCK_COUNTS).map(n -> n * type.blockSize()), IntStream.of(LONG_ROW)).toArray();
    }

    // ---- reductions ----

    @ParameterizedTest(name = "{0} n={1}")
    @MethodSource("sizes")
    void dot(Backend b, int n) {
        Random rnd = new Random(n);
        float[] a = values(rnd, n + 3, -1, 1);
        float[] c = values(rnd, n + 5, -1, 1);
        double magnitude = 0;
        for (int i = 0; i < n; i++) magnitude += Math.abs((double) a[3 + i] * c[5 + i]);

        float actual = b.ops().dot(a, 3, c, 5, n);

        assertThat((double) actual).isCloseTo(b.reference().dot(a, 3, c, 5, n), within(sumTolerance(n, magnitude)));
    }

    @ParameterizedTest(name = "{0} {1} {2}x{3}")
    @MethodSource("shapes")
    void dotRow(Backend b, DType type, int rows, int cols) {
        Random rnd = new Random(31L * cols + rows + type.ordinal());
        float[] w = values(rnd, rows * cols, -1, 1);
        Tensor heap = Quantizer.tensor("w", type, w, cols, rows);
        Tensor offHeap = copyOffHeap(heap);
        // a float[]-backed segment, as Tensor.ofFloats makes, is another memory kind the loads must accept
        Tensor floats = type == DType.F32 ? Tensor.ofFloats("w", w, cols, rows) : heap;
        float[] x = values(rnd, cols + 1, -1, 1);

        for (int r = 0; r < rows; r++) {
            double expected = b.reference().dotRow(heap, r, x, 1);
            double tolerance = sumTolerance(cols, rowMagnitude(heap, r, x, 1));
            assertThat((double) b.ops().dotRow(heap, r, x, 1)).as("row %d on heap", r).isCloseTo(expected, within(tolerance));
            assertThat((double) b.ops().dotRow(offHeap, r, x, 1)).as("row %d off heap", r).isCloseTo(expected, within(tolerance));
            assertThat((double) b.ops().dotRow(floats, r, x, 1)).as("row %d in floats", r).isCloseTo(expected, within(tolerance));
        }
    }

    @ParameterizedTest(name = "{0} {1} {2}x{3}")
    @MethodSource("shapes")
    void matmul(Backend b, DType type, int rows, int cols) {
        Random rnd = new Random(17L * cols + rows + type.ordinal());
        Tensor w = copyOffHeap(Quantizer.tensor("w", type, values(rnd, rows * cols, -2, 2), cols, rows));
        float[] x = values(rnd, cols, -1, 1);
        float[] expected = new float[rows];
        float[] actual = new float[rows];

        b.reference().matmul(w, x, expected);
        b.ops().matmul(w, x, actual);

        assertClose("matmul", actual, expected, r -> sumTolerance(cols, rowMagnitude(w, r, x, 0)));
    }

    /**
     * The one-input product reads several rows at once (RowStreams), whose arithmetic per row must stay that of
     * dotRow exactly: row counts around multiples of four (the remainder runs row by row), F16 rows with a partial
     * last conversion chunk, and a matrix large enough to be split across the pool.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("computableTypes")
    void matmulIsDotRowBitForBit(DType type) {
        TensorOps ops = VectorTensorOps.create();
        int unit = type.quantized() ? type.blockSize() : 1;
        for (int[] shape : new int[][] {{1, 64}, {4, 64}, {5, 96}, {9, 256}, {67, 1056}, {300, 2048}}) {
            int rows = shape[0], cols = Math.max(unit, shape[1] / unit * unit);
            Random rnd = new Random(41L * rows + cols + type.ordinal());
            Tensor w = copyOffHeap(Quantizer.tensor("w", type, values(rnd, rows * cols, -2, 2), cols, rows));
            float[] x = values(rnd, cols, -1, 1);
            float[] actual = filled(rows + 2);
            ops.matmul(w, x, actual);
            for (int r = 0; r < rows; r++) {
                assertThat(actual[r]).as("%s %dx%d row %d", type, rows, cols, r).isEqualTo(ops.dotRow(w, r, x, 0));
            }
            assertThat(actual[rows]).as("nothing written past the rows").isEqualTo(SENTINEL);
        }
    }

    /**
     * Several inputs against one matrix (a decode step of several sequences) give each input what dotRow gives it
     * alone, bit for bit, for every count (groups of four and two, and a last single input), on both backends:
     * awkward row lengths (F32 and F16 tails, one block), row counts around multiples of the chunk, and a matrix large
     * enough to be split across the pool. Nothing is written past the rows.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendsAndTypes")
    void matmulEachIsDotRowBitForBit(Backend b, DType type) {
        TensorOps ops = b.ops();
        int unit = type.quantized() ? type.blockSize() : 1;
        int[][] shapes = {{1, 33}, {5, 96}, {17, 207}, {67, 1056}, {300, 2048}};
        for (int[] shape : shapes) {
            int rows = shape[0], cols = Math.max(unit, shape[1] / unit * unit);
            Random rnd = new Random(43L * rows + cols + type.ordinal());
            Tensor w = copyOffHeap(Quantizer.tensor("w", type, values(rnd, rows * cols, -2, 2), cols, rows));
            float[][] xs = new float[9][];
            for (int i = 0; i < xs.length; i++) xs[i] = values(rnd, cols + i % 3, -1, 1);
            float[][] expected = new float[xs.length][rows];
            for (int i = 0; i < xs.length; i++) {
                for (int r = 0; r < rows; r++) expected[i][r] = ops.dotRow(w, r, xs[i], 0);
            }
            for (int count = 1; count <= xs.length; count++) {
                float[][] outs = new float[count + 1][];
                for (int i = 0; i < outs.length; i++) outs[i] = filled(rows + 1);
                ops.matmulEach(w, xs, count, outs);
                for (int i = 0; i < count; i++) {
                    for (int r = 0; r < rows; r++) {
                        assertThat(outs[i][r]).as("%s %dx%d count %d input %d row %d", type, rows, cols, count, i, r)
                                .isEqualTo(expected[i][r]);
                    }
                    assertThat(outs[i][rows]).as("nothing written past the rows").isEqualTo(SENTINEL);
                }
                assertThat(outs[count][0]).as("output past the count untouched").isEqualTo(SENTINEL);
            }
        }
    }

    static Stream<Arguments> backendsAndTypes() {
        return BACKENDS.stream().flatMap(b -> computableTypes().map(t -> arguments(b, t)));
    }

    /** A matmulEach call whose arrays do not fit names the mismatch, and one output array cannot serve two inputs. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void matmulEachRejectsMismatchedArrays(Backend b) {
        Tensor w = Tensor.ofFloats("w", new float[6 * 4], 4, 6);
        float[][] xs = {new float[4], new float[4]};
        assertThatThrownBy(() -> b.ops().matmulEach(w, xs, 3, new float[][] {new float[6], new float[6], new float[6]}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 products with 2 inputs");
        assertThatThrownBy(() -> b.ops().matmulEach(w, xs, 2, new float[][] {new float[6], new float[5]}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("output 1 of length 5");
        assertThatThrownBy(() -> b.ops().matmulEach(w, new float[][] {new float[4], new float[3]}, 2, new float[][] {new float[6], new float[6]}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("input 1 of length 3");
        float[] shared = new float[6];
        assertThatThrownBy(() -> b.ops().matmulEach(w, xs, 2, new float[][] {shared, shared}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one array");
    }

    static Stream<DType> computableTypes() {
        return Stream.of(DType.values()).filter(DType::computable);
    }

    /** Attention's two products over a cache: keys as columns (scores), values as rows (weighted sum). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void dotColumnsAndSumRows(Backend b) {
        for (int k : new int[] {1, 7, 64, 80, 128}) {
            for (int n : new int[] {1, 5, 16, 63, 64, 65, 200, 2001}) {
                Random rnd = new Random(31L * k + n);
                int stride = n + 3;
                float[] x = values(rnd, k + 2, -1, 1), m = values(rnd, k * stride + 5, -1, 1);
                float[] expected = filled(n + 4), actual = filled(n + 4);
                b.reference().dotColumns(x, 2, m, 5, stride, k, n, 0.125f, expected, 2);
                b.ops().dotColumns(x, 2, m, 5, stride, k, n, 0.125f, actual, 2);
                assertClose("dotColumns k=" + k + " n=" + n, actual, expected, j -> 1e-6 * k + 1e-6);

                float[] w = values(rnd, n + 1, 0, 1), rows = values(rnd, n * (k + 9) + 4, -1, 1);
                float[] sumExpected = filled(k + 3), sumActual = filled(k + 3);
                b.reference().sumRows(w, 1, n, rows, 4, k + 9, k, sumExpected, 1, false);
                b.ops().sumRows(w, 1, n, rows, 4, k + 9, k, sumActual, 1, false);
                assertClose("sumRows k=" + k + " n=" + n, sumActual, sumExpected, i -> 1e-6 * n + 1e-6);
                b.reference().sumRows(w, 0, n, rows, 0, k + 9, k, sumExpected, 1, true);
                b.ops().sumRows(w, 0, n, rows, 0, k + 9, k, sumActual, 1, true);
                assertClose("sumRows accumulating k=" + k + " n=" + n, sumActual, sumExpected, i -> 2e-6 * n + 1e-6);
            }
        }
    }

    /**
     * The grouped forms (query heads sharing a key/value head) give exactly what one call per query gives: group
     * sizes around the kernels' four, position and dimension counts around their vector widths, accumulation on.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void groupedAttentionProductsEqualOneCallPerQuery(Backend b) {
        TensorOps ops = b.ops();
        for (int g : new int[] {1, 2, 3, 4, 5, 7, 9}) {
            for (int k : new int[] {7, 64, 80}) {
                for (int n : new int[] {1, 5, 31, 32, 33, 64, 200}) {
                    Random rnd = new Random(97L * g + 13L * k + n);
                    int stride = n + 3, xStride = k + 2;
                    float[] x = values(rnd, 1 + g * xStride, -1, 1), m = values(rnd, k * stride + 5, -1, 1);
                    float[][] expected = new float[g + 1][], actual = new float[g + 1][];
                    for (int q = 0; q <= g; q++) {
                        expected[q] = filled(n + 4);
                        actual[q] = filled(n + 4);
                    }
                    for (int q = 0; q < g; q++) ops.dotColumns(x, 1 + q * xStride, m, 5, stride, k, n, 0.125f, expected[q + 1], 2);
                    ops.dotColumns(g, x, 1, xStride, m, 5, stride, k, n, 0.125f, actual, 1, 2);
                    for (int q = 0; q <= g; q++) {
                        assertThat(actual[q]).as("dotColumns g=%d k=%d n=%d query %d", g, k, n, q).containsExactly(expected[q]);
                    }

                    float[][] w = new float[g + 2][];
                    for (int q = 0; q < w.length; q++) w[q] = values(rnd, n + 1, 0, 1);
                    int rowStride = k + 9, outStride = k + 3;
                    float[] rows = values(rnd, n * rowStride + 4, -1, 1);
                    for (boolean accumulate : new boolean[] {false, true}) {
                        float[] sumExpected = values(new Random(g + n), g * outStride + 3, -1, 1), sumActual = sumExpected.clone();
                        for (int q = 0; q < g; q++) {
                            ops.sumRows(w[q + 2], 1, n, rows, 4, rowStride, k, sumExpected, 1 + q * outStride, accumulate);
                        }
                        ops.sumRows(g, w, 2, 1, n, rows, 4, rowStride, k, sumActual, 1, outStride, accumulate);
                        assertThat(sumActual).as("sumRows g=%d k=%d n=%d accumulate=%b", g, k, n, accumulate)
                                .containsExactly(sumExpected);
                    }
                }
            }
        }
    }

    /**
     * From {@code matmulStableFrom()} inputs on, a batch's products are bit for bit those of its parts multiplied
     * alone: pieces of several lengths, concatenated in random orders, over every type and shapes large enough to be
     * split across the pool and into several weight panels.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendsAndTypes")
    void matmulOfConcatenatedPiecesIsEachPieceAlone(Backend b, DType type) {
        TensorOps ops = b.ops();
        int from = ops.matmulStableFrom();
        assertThat(from).isPositive();
        int unit = type.quantized() ? type.blockSize() : 1;
        for (int[] shape : new int[][] {{7, 96}, {67, 1056}, {1100, 2048}}) {
            int rows = shape[0], cols = Math.max(unit, shape[1] / unit * unit);
            Random rnd = new Random(71L * rows + cols + type.ordinal());
            Tensor w = copyOffHeap(Quantizer.tensor("w", type, values(rnd, rows * cols, -2, 2), cols, rows));
            int[] lengths = {from, from + 1, from + 5, 3 * from + 7, 2 * from};
            for (int trial = 0; trial < (rows > 1000 ? 1 : 3); trial++) {
                int[] order = shuffled(lengths, rnd);
                int total = IntStream.of(order).sum();
                float[] x = values(rnd, total * cols, -1, 1);
                float[] joined = filled(total * rows + 1);
                ops.matmul(w, x, total, joined);
                assertThat(joined[total * rows]).as("nothing written past the batch").isEqualTo(SENTINEL);
                int at = 0;
                for (int n : order) {
                    float[] alone = new float[n * rows];
                    ops.matmul(w, java.util.Arrays.copyOfRange(x, at * cols, (at + n) * cols), n, alone);
                    for (int i = 0; i < n * rows; i++) {
                        if (Float.floatToRawIntBits(joined[at * rows + i]) != Float.floatToRawIntBits(alone[i])) {
                            throw new AssertionError(String.format("%s %dx%d piece of %d at %d, output %d: %s joined, %s alone",
                                    type, rows, cols, n, at, i, joined[at * rows + i], alone[i]));
                        }
                    }
                    at += n;
                }
            }
        }
    }

    private static int[] shuffled(int[] values, Random rnd) {
        int[] out = values.clone();
        for (int i = out.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = out[i];
            out[i] = out[j];
            out[j] = t;
        }
        return out;
    }

    /** n inputs at once (a prompt batch): below the GEMM threshold and above it, against the reference's dotRow. */
    @ParameterizedTest(name = "{0} {1} {2}x{3}")
    @MethodSource("shapes")
    void batchedMatmul(Backend b, DType type, int rows, int cols) {
        Random rnd = new Random(23L * cols + rows + type.ordinal());
        Tensor w = copyOffHeap(Quantizer.tensor("w", type, values(rnd, rows * cols, -2, 2), cols, rows));
        for (int n : new int[] {1, 3, 4, 13}) {
            float[] x = values(rnd, n * cols, -1, 1);
            float[] expected = new float[n * rows];
            float[] actual = filled(n * rows + 5);
            b.reference().matmul(w, x, n, expected);
            b.ops().matmul(w, x, n, actual);
            for (int i = 0; i < n; i++) {
                int token = i;
                assertClose("batched matmul n=" + n + " input " + i, java.util.Arrays.copyOfRange(actual, i * rows, (i + 1) * rows),
                        java.util.Arrays.copyOfRange(expected, i * rows, (i + 1) * rows),
                        r -> sumTolerance(cols, rowMagnitude(w, r, x, token * cols)));
            }
            assertThat(actual[n * rows]).as("nothing written past n rows").isEqualTo(SENTINEL);
        }
    }

    @ParameterizedTest(name = "{0} {1} {2}x{3}")
    @MethodSource("shapes")
    void dequantizeRowIsExact(Backend b, DType type, int rows, int cols) {
        Random rnd = new Random(7L * cols + rows + type.ordinal());
        Tensor w = Quantizer.tensor("w", type, values(rnd, rows * cols, -3, 3), cols, rows);
        for (int r = 0; r < rows; r++) {
            float[] expected = filled(cols + 3);
            float[] actual = filled(cols + 3);
            b.reference().dequantizeRow(w, r, expected, 2);
            b.ops().dequantizeRow(w, r, actual, 2);
            assertThat(actual).as("row %d", r).containsExactly(expected);
            assertThat(actual[1]).isEqualTo(SENTINEL);
            assertThat(actual[cols + 2]).isEqualTo(SENTINEL);
        }
    }

    @ParameterizedTest(name = "{0} n={1}")
    @MethodSource("sizes")
    void rmsnorm(Backend b, int n) {
        Random rnd = new Random(n + 100);
        float[] x = values(rnd, n + 4, -3, 3);
        float[] weight = values(rnd, n, 0.5f, 1.5f);
        float[] expected = filled(n + 2);
        float[] actual = filled(n + 2);

        b.reference().rmsnorm(expected, 1, x, 4, weight, n, 1e-5f);
        b.ops().rmsnorm(actual, 1, x, 4, weight, n, 1e-5f);

        assertClose("rmsnorm", actual, expected, i -> relative(expected[i], 16 + Math.sqrt(n)));
        assertSentinels(actual, 1, n);
    }

    @ParameterizedTest(name = "{0} n={1}")
    @MethodSource("sizes")
    void layernorm(Backend b, int n) {
        Random rnd = new Random(n + 150);
        float[] x = values(rnd, n + 4, -3, 5);
        float[] weight = values(rnd, n, 0.5f, 1.5f);
        float[] bias = values(rnd, n, -0.5f, 0.5f);
        float[] expected = filled(n + 2);
        float[] actual = filled(n + 2);

        b.reference().layernorm(expected, 1, x, 4, weight, bias, n, 1e-5f);
        b.ops().layernorm(actual, 1, x, 4, weight, bias, n, 1e-5f);

        // a centred value near zero loses relative precision: measure error against the output's scale
        assertClose("layernorm", actual, expected, i -> EPS * (64 + 8 * Math.sqrt(n)) * 4);
        assertSentinels(actual, 1, n);
    }

    @ParameterizedTest(name = "{0} n={1}")
    @MethodSource("sizes")
    void gelu(Backend b, int n) {
        Random rnd = new Random(n + 450);
        float[] expected = values(rnd, n + 2, -8, 8);
        expected[0] = expected[n + 1] = SENTINEL;
        float[] actual = expected.clone();

        b.reference().gelu(expected, 1, n);
        b.ops().gelu(actual, 1, n);

        assertClose("gelu", actual, expected, i -> EPS * 16 * Math.max(1, Math.abs(expected[i])));
        assertSentinels(actual, 1, n);
    }

    @ParameterizedTest(name = "{0} n={1}")
    @MethodSource("sizes")
    void softmax(Backend b, int n) {
        Random rnd = new Random(n + 200);
        float[] expected = values(rnd, n + 3, -8, 8);
        expected[0] = expected[1] = expected[n + 2] = SENTINEL;
        float[] actual = expected.clone();

        b.reference().softmax(expected, 2, n);
        b.ops().softmax(actual, 2, n);

        assertClose("softmax", actual, expected, i -> relative(expected[i], 64 + Math.sqrt(n)));
        assertSentinels(actual, 2, n);
    }

    // ---- element-wise ----

    @ParameterizedTest(name = "{0} {1} nDims={2}")
    @MethodSource("ropeSizes")
    void rope(Backend b, RopeMode mode, int nDims) {
        Random rnd = new Random(nDims + 300 + mode.ordinal());
        float[] expected = values(rnd, nDims + 2, -2, 2);
        expected[0] = expected[nDims + 1] = SENTINEL;
        float[] before = expected.clone();
        float[] actual = expected.clone();
        float[] cos = new float[nDims / 2];
        float[] sin = new float[nDims / 2];
        for (int i = 0; i < nDims / 2; i++) {
            double angle = rnd.nextDouble(-Math.PI, Math.PI);
            cos[i] = (float) Math.cos(angle);
            sin[i] = (float) Math.sin(angle);
        }

        b.reference().rope(expected, 1, nDims, cos, sin, mode);
        b.ops().rope(actual, 1, nDims, cos, sin, mode);

        // each output is x0·c ± x1·s for its pair: two rounded products and a rounded sum
        assertClose("rope", actual, expected, i -> 4 * EPS * (Math.abs(before[i]) + Math.abs(before[partner(i, nDims, mode)])));
        assertSentinels(actual, 1, nDims);
    }

    /** The index (into the array, offset 1) of the other member of element i's pair, or i itself. */
    private static int partner(int i, int nDims, RopeMode mode) {
        int d = i - 1;
        int half = nDims / 2;
        if (d < 0 || d >= 2 * half) return i;
        if (mode == RopeMode.NORMAL) return 1 + (d ^ 1);
        return 1 + (d < half ? d + half : d - half);
    }

    @ParameterizedTest(name = "{0} n={1}")
    @MethodSource("sizes")
    void silu(Backend b, int n) {
        Random rnd = new Random(n + 400);
        float[] expected = values(rnd, n + 2, -12, 12);
        expected[0] = expected[n + 1] = SENTINEL;
        float[] actual = expected.clone();

        b.reference().silu(expected, 1, n);
        b.ops().silu(actual, 1, n);

        assertClose("silu", actual, expected, i -> relative(expected[i], 8));
        assertSentinels(actual, 1, n);
    }

    @ParameterizedTest(name = "{0} n={1}")
    @MethodSource("sizes")
    void mul(Backend b, int n) {
        Random rnd = new Random(n + 500);
        float[] factors = values(rnd, n + 1, -4, 4);
        float[] expected = values(rnd, n + 1, -4, 4);
        expected[n] = SENTINEL;
        float[] actual = expected.clone();

        b.reference().mul(expected, factors, n);
        b.ops().mul(actual, factors, n);

        assertClose("mul", actual, expected, i -> relative(expected[i], 1));
        assertThat(actual[n]).isEqualTo(SENTINEL);
    }

    @ParameterizedTest(name = "{0} n={1}")
    @MethodSource("sizes")
    void axpy(Backend b, int n) {
        Random rnd = new Random(n + 600);
        float[] x = values(rnd, n + 3, -4, 4);
        float[] expected = values(rnd, n + 2, -4, 4);
        expected[0] = expected[n + 1] = SENTINEL;
        float[] before = expected.clone();
        float[] actual = expected.clone();

        b.reference().axpy(-0.75f, x, 3, expected, 1, n);
        b.ops().axpy(-0.75f, x, 3, actual, 1, n);

        assertClose("axpy", actual, expected,
                i -> i < 1 || i > n ? 0 : 2 * EPS * (Math.abs(before[i]) + Math.abs(0.75 * x[i + 2])));
        assertSentinels(actual, 1, n);
    }

    @ParameterizedTest(name = "{0} n={1}")
    @MethodSource("sizes")
    void scale(Backend b, int n) {
        Random rnd = new Random(n + 700);
        float[] expected = values(rnd, n + 4, -4, 4);
        expected[0] = expected[1] = expected[2] = expected[n + 3] = SENTINEL;
        float[] actual = expected.clone();

        b.reference().scale(expected, 3, n, 1.7f);
        b.ops().scale(actual, 3, n, 1.7f);

        assertClose("scale", actual, expected, i -> relative(expected[i], 1));
        assertSentinels(actual, 3, n);
    }

    @ParameterizedTest(name = "{0} n={1}")
    @MethodSource("sizes")
    void typesWithoutKernelsAreRefused(Backend b, int n) {
        Tensor q81 = new Tensor("q81", DType.Q8_1, new long[] {32L * n}, MemorySegment.ofArray(new byte[36 * n]));
        float[] x = new float[32 * n];

        assertThatThrownBy(() -> b.ops().dotRow(q81, 0, x, 0))
                .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("Q8_1");
        assertThatThrownBy(() -> b.ops().dequantizeRow(q81, 0, x, 0))
                .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("Q8_1");
    }

    // ---- helpers ----

    /** Allowed error of a float sum of n products whose magnitudes add up to {@code magnitude}. */
    static double sumTolerance(int n, double magnitude) {
        return EPS * (8 + 8 * Math.sqrt(n)) * magnitude + Float.MIN_NORMAL;
    }

    private static double relative(float expected, double units) {
        return units * EPS * Math.abs(expected) + Float.MIN_NORMAL;
    }

    /** Σ |w[r][i] · x[xOff+i]|: the scale of the rounding error in row r's dot product. */
    private static double rowMagnitude(Tensor w, int r, float[] x, int xOff) {
        double[] row = DoubleReferenceOps.decode(w, r);
        double sum = 0;
        for (int i = 0; i < row.length; i++) sum += Math.abs(row[i] * x[xOff + i]);
        return sum;
    }

    private static Tensor copyOffHeap(Tensor heap) {
        MemorySegment native_ = Arena.ofAuto().allocate(heap.data().byteSize(), 64);
        native_.copyFrom(heap.data());
        return new Tensor(heap.name(), heap.type(), heap.dims(), native_);
    }

    static float[] values(Random rnd, int n, float lo, float hi) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = lo + (hi - lo) * rnd.nextFloat();
        return v;
    }

    private static float[] filled(int n) {
        float[] v = new float[n];
        Arrays.fill(v, SENTINEL);
        return v;
    }

    private static void assertSentinels(float[] actual, int off, int n) {
        for (int i = 0; i < actual.length; i++) {
            if (i < off || i >= off + n) assertThat(actual[i]).as("untouched element %d", i).isEqualTo(SENTINEL);
        }
    }

    private static void assertClose(String what, float[] actual, float[] expected, IntToDoubleFunction tolerance) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            double tol = tolerance.applyAsDouble(i);
            if (Math.abs((double) actual[i] - expected[i]) > tol || Float.isNaN(actual[i]) != Float.isNaN(expected[i])) {
                assertThat((double) actual[i]).as("%s at %d", what, i).isCloseTo(expected[i], within(tol));
            }
        }
    }
}

package ai.basalt.nn.kernel;

import ai.basalt.tensor.Parallel;

/**
 * Sums over rows, the reduction behind every bias, gain and broadcast gradient. Threads split the columns,
 * never the rows, so each column is summed in row order whatever the thread count: the result is the same
 * bit for bit on 1 or 16 threads.
 */
public final class ColumnSums {
    private ColumnSums() {}

    /** dst[c] += Σ_r src[srcOff + r·cols + c]; src (rows, cols), dst (cols). */
    public static void accumulate(float[] dst, int dstOff, float[] src, int srcOff, int rows, int cols) {
        Parallel.forRows(cols, rows, (c0, c1) -> {
            for (int r = 0; r < rows; r++) {
                int at = srcOff + r * cols;
                for (int c = c0; c < c1; c++) dst[dstOff + c] += src[at + c];
            }
        });
    }

    /** dst[c] += Σ_r a[r·cols + c] · b[r·cols + c]; a, b (rows, cols), dst (cols). */
    public static void accumulateProducts(float[] dst, float[] a, float[] b, int rows, int cols) {
        Parallel.forRows(cols, 2L * rows, (c0, c1) -> {
            for (int r = 0; r < rows; r++) {
                int at = r * cols;
                for (int c = c0; c < c1; c++) dst[c] += a[at + c] * b[at + c];
            }
        });
    }
}

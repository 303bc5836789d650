package ai.basalt.nn.kernel;

import static ai.basalt.nn.kernel.Lanes.F;
import static ai.basalt.nn.kernel.Lanes.L;

import ai.basalt.tensor.Parallel;
import jdk.incubator.vector.FloatVector;

/**
 * Sums over rows, the reduction behind every bias, gain and broadcast gradient. Threads split the columns,
 * never the rows, so each column is summed in row order whatever the thread count: the result is the same
 * bit for bit on 1 or 16 threads.
 *
 * <p>{@link #accumulateScalar} is the reference. {@link #accumulate} keeps four vectors of columns in registers
 * while it walks the rows, starting from dst's values, so each column sees the very same additions in the same
 * order as the reference: the two agree bit for bit.
 */
public final class ColumnSums {
    private ColumnSums() {}

    /** Reference: dst[c] += Σ_r src[srcOff + r·cols + c]; src (rows, cols), dst (cols). */
    public static void accumulateScalar(float[] dst, int dstOff, float[] src, int srcOff, int rows, int cols) {
        Parallel.forRows(cols, rows, (c0, c1) -> {
            for (int r = 0; r < rows; r++) {
                int at = srcOff + r * cols;
                for (int c = c0; c < c1; c++) dst[dstOff + c] += src[at + c];
            }
        });
    }

    /** dst[c] += Σ_r src[srcOff + r·cols + c]; src (rows, cols), dst (cols). */
    public static void accumulate(float[] dst, int dstOff, float[] src, int srcOff, int rows, int cols) {
        int blocks = (cols + L - 1) / L;
        Parallel.forRows(blocks, (long) rows * L, (b0, b1) -> {
            int c = b0 * L;
            int end = Math.min(cols, b1 * L);
            for (; c + 4 * L <= end; c += 4 * L) {
                FloatVector a0 = FloatVector.fromArray(F, dst, dstOff + c);
                FloatVector a1 = FloatVector.fromArray(F, dst, dstOff + c + L);
                FloatVector a2 = FloatVector.fromArray(F, dst, dstOff + c + 2 * L);
                FloatVector a3 = FloatVector.fromArray(F, dst, dstOff + c + 3 * L);
                for (int r = 0; r < rows; r++) {
                    int at = srcOff + r * cols + c;
                    a0 = a0.add(FloatVector.fromArray(F, src, at));
                    a1 = a1.add(FloatVector.fromArray(F, src, at + L));
                    a2 = a2.add(FloatVector.fromArray(F, src, at + 2 * L));
                    a3 = a3.add(FloatVector.fromArray(F, src, at + 3 * L));
                }
                a0.intoArray(dst, dstOff + c);
                a1.intoArray(dst, dstOff + c + L);
                a2.intoArray(dst, dstOff + c + 2 * L);
                a3.intoArray(dst, dstOff + c + 3 * L);
            }
            for (; c + L <= end; c += L) {
                FloatVector a = FloatVector.fromArray(F, dst, dstOff + c);
                for (int r = 0; r < rows; r++) a = a.add(FloatVector.fromArray(F, src, srcOff + r * cols + c));
                a.intoArray(dst, dstOff + c);
            }
            for (; c < end; c++) {
                float a = dst[dstOff + c];
                for (int r = 0; r < rows; r++) a += src[srcOff + r * cols + c];
                dst[dstOff + c] = a;
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

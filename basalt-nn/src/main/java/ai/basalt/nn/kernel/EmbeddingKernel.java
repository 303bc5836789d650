package ai.basalt.nn.kernel;

import ai.basalt.tensor.Parallel;

/**
 * Table lookup (llm.c {@code encoder_forward} / {@code encoder_backward}): row {@code ids[i]} of the table
 * becomes row i of the output. Shapes: table (V, C), ids (N), out (N, C).
 *
 * <p>The backward scatter-adds rows that may repeat; threads split the channels so every table entry
 * receives its contributions in token order on any thread count.
 */
public final class EmbeddingKernel {
    private EmbeddingKernel() {}

    /** out (N, C) ← table[ids] ; ids must already be checked to lie in [0, V). */
    public static void forward(float[] out, int[] ids, int idsOff, float[] table, int n, int c) {
        Parallel.forRows(n, c, (r0, r1) -> {
            for (int i = r0; i < r1; i++) System.arraycopy(table, ids[idsOff + i] * c, out, i * c, c);
        });
    }

    /** dtable[ids[i]] += dout[i] for every i, in order of i. */
    public static void backward(float[] dtable, float[] dout, int[] ids, int idsOff, int n, int c) {
        Parallel.forRows(c, n, (c0, c1) -> {
            for (int i = 0; i < n; i++) {
                int src = i * c;
                int dst = ids[idsOff + i] * c;
                for (int j = c0; j < c1; j++) dtable[dst + j] += dout[src + j];
            }
        });
    }
}

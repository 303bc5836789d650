package ai.basalt.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The vector kernels give the same bits cold (interpreted) and hot (C2-compiled): a prompt run twice in
 * one process must give the same logits, whatever the JIT did in between.
 */
class JitTierDeterminismTest {
    private static final TensorOps OPS = TensorOps.best();
    private static final int N = 203;

    private static float[] input(int seed) {
        Random rnd = new Random(seed);
        float[] x = new float[N];
        for (int i = 0; i < N; i++) x[i] = (float) (rnd.nextGaussian() * 3);
        return x;
    }

    private static void assertStableWhenHot(String kernel, Function<float[], float[]> run) {
        float[] in = input(kernel.hashCode());
        float[] cold = run.apply(in.clone());
        for (int i = 0; i < 30_000; i++) run.apply(in.clone());
        float[] hot = run.apply(in.clone());
        assertThat(Arrays.equals(cold, hot)).as("%s: cold %s vs hot %s", kernel, Arrays.toString(Arrays.copyOf(cold, 4)),
                Arrays.toString(Arrays.copyOf(hot, 4))).isTrue();
    }

    @Test
    void everyReductionAndTranscendentalIsTierIndependent() {
        float[] other = input(99);
        float[] weight = input(7);
        assertStableWhenHot("dot", x -> new float[] {OPS.dot(x, 0, other, 0, N)});
        assertStableWhenHot("softmax", x -> {
            OPS.softmax(x, 0, N);
            return x;
        });
        assertStableWhenHot("silu", x -> {
            OPS.silu(x, 0, N);
            return x;
        });
        assertStableWhenHot("gelu", x -> {
            OPS.gelu(x, 0, N);
            return x;
        });
        assertStableWhenHot("rmsnorm", x -> {
            float[] out = new float[N];
            OPS.rmsnorm(out, 0, x, 0, weight, N, 1e-5f);
            return out;
        });
        assertStableWhenHot("layernorm", x -> {
            float[] out = new float[N];
            OPS.layernorm(out, 0, x, 0, weight, other, N, 1e-5f);
            return out;
        });
        Tensor w = Tensor.ofFloats("w", input(5), N, 1);
        assertStableWhenHot("dotRow", x -> new float[] {OPS.dotRow(w, 0, x, 0)});
    }

    /**
     * Every computable type's row product, one-input matmul (which reads several rows at once) and multi-input
     * matmulEach (which reads each row once for several inputs), cold and hot.
     */
    @Test
    void quantizedProductsAreTierIndependent() {
        int cols = 512, rows = 9;
        Random rnd = new Random(3);
        float[] values = new float[rows * cols];
        for (int i = 0; i < values.length; i++) values[i] = (float) rnd.nextGaussian();
        for (DType type : DType.values()) {
            if (!type.computable()) continue;
            Tensor w = Quantizer.tensor("w", type, values, cols, rows);
            float[] x = new float[cols];
            for (int i = 0; i < cols; i++) x[i] = (float) rnd.nextGaussian();
            float[] x2 = x.clone(), x3 = new float[cols];
            for (int i = 0; i < cols; i++) x3[i] = (float) rnd.nextGaussian();
            Function<float[], float[]> products = in -> {
                float[] out = new float[8 * rows];
                OPS.matmul(w, in, out);
                for (int r = 0; r < rows; r++) out[rows + r] = OPS.dotRow(w, r, in, 0);
                // three and four inputs at once (groups of four, two and one)
                float[][] outs = new float[4][rows];
                OPS.matmulEach(w, new float[][] {in, x3, x2}, 3, outs);
                System.arraycopy(outs[0], 0, out, 2 * rows, rows);
                System.arraycopy(outs[1], 0, out, 3 * rows, rows);
                OPS.matmulEach(w, new float[][] {x3, x2, x3, in}, 4, outs);
                System.arraycopy(outs[3], 0, out, 4 * rows, rows);
                System.arraycopy(outs[0], 0, out, 5 * rows, rows);
                // nine inputs (a group of eight, then one), the input in the middle of the eight
                float[][] nine = {x2, x3, x2, x3, in, x3, x2, x3, x2};
                float[][] outs9 = new float[9][rows];
                OPS.matmulEach(w, nine, 9, outs9);
                System.arraycopy(outs9[4], 0, out, 6 * rows, rows);
                System.arraycopy(outs9[8], 0, out, 7 * rows, rows);
                return out;
            };
            float[] cold = products.apply(x);
            for (int i = 0; i < 20_000; i++) products.apply(x);
            assertThat(products.apply(x)).as("%s cold vs hot", type).containsExactly(cold);
        }
    }
}

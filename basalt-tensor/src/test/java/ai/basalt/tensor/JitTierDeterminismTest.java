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
}

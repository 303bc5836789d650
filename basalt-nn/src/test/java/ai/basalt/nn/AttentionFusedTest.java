package ai.basalt.nn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.basalt.tensor.Parallel;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Attention reading q | k | v in place from a fused projection against splitting it first: the same
 * arithmetic, so the output and the fused input's gradient must be the same bits, for any thread count.
 */
class AttentionFusedTest {

    /** The output followed by qkv's gradient, after back-propagating a random weighting of the output. */
    private static float[] run(boolean fused, float[] qkvData, int b, int t, int heads, int kvHeads, int hs, long seed) {
        int width = (heads + 2 * kvHeads) * hs;
        Var qkv = Var.leaf("qkv", qkvData.clone(), true, b, t, width);
        Graph g = new Graph();
        Var y;
        if (fused) {
            y = g.attentionFused(qkv, heads, kvHeads);
        } else {
            Var[] parts = g.split(qkv, heads * hs, kvHeads * hs, kvHeads * hs);
            y = g.attention(parts[0], parts[1], parts[2], heads, kvHeads);
        }
        assertThat(y.shape()).containsExactly(b, t, heads * hs);
        float[] out = Arrays.copyOf(y.data(), y.size());
        g.backward(GradCheck.weighted(g, y, GradCheck.random(new Random(seed), y.size(), 1f)));
        float[] both = Arrays.copyOf(out, out.length + qkv.size());
        System.arraycopy(qkv.grad(), 0, both, out.length, qkv.size());
        g.reset();
        return both;
    }

    @ParameterizedTest
    @CsvSource({"2, 9, 4, 4, 8", "3, 64, 4, 4, 32", "1, 13, 4, 2, 5", "2, 33, 6, 1, 16", "1, 1, 1, 1, 1"})
    void fusedAttentionIsTheSplitPathBitForBit(int b, int t, int heads, int kvHeads, int hs) {
        float[] qkv = GradCheck.random(new Random(b * 1000 + t), b * t * (heads + 2 * kvHeads) * hs, 1f);
        int before = Parallel.threads();
        try {
            for (int threads = 1; threads <= 3; threads++) {
                Parallel.setThreads(threads);
                float[] split = run(false, qkv, b, t, heads, kvHeads, hs, 7);
                float[] fused = run(true, qkv, b, t, heads, kvHeads, hs, 7);
                int outputs = b * t * heads * hs;
                for (int i = 0; i < split.length; i++) {
                    if (Float.floatToRawIntBits(fused[i]) != Float.floatToRawIntBits(split[i])) {
                        throw new AssertionError((i < outputs ? "output" : "qkv gradient") + " differs at " + i + ": fused "
                                + fused[i] + ", split " + split[i] + " (" + threads + " threads)");
                    }
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
    }
}

package ai.basalt.model.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import ai.basalt.nn.Rng;
import ai.basalt.nn.kernel.RopeKernel;
import ai.basalt.nn.kernel.RopeTable;
import ai.basalt.tensor.RopeMode;
import org.junit.jupiter.api.Test;

/** The row permutation between Meta's adjacent-pair RoPE layout and Hugging Face's rotate-half layout. */
class LlamaRopeLayoutTest {

    private static float[] random(Rng rng, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) rng.nextGaussian();
        return x;
    }

    @Test
    void halvesToPairsIsLlamaCppsPermuteAndPairsToHalvesItsInverse() {
        int heads = 3, hd = 8, cols = 5;
        float[] hf = random(new Rng(1), heads * hd * cols);
        // convert_hf_to_gguf.py: w.reshape(heads, 2, hd/2, cols).swapaxes(1, 2).reshape(w.shape)
        float[] expected = new float[hf.length];
        for (int h = 0; h < heads; h++) {
            for (int a = 0; a < hd / 2; a++) {
                for (int b = 0; b < 2; b++) {
                    for (int c = 0; c < cols; c++) {
                        expected[((h * (hd / 2) + a) * 2 + b) * cols + c] = hf[((h * 2 + b) * (hd / 2) + a) * cols + c];
                    }
                }
            }
        }
        assertThat(LlamaRopeLayout.halvesToPairs(hf, heads, hd, cols)).containsExactly(expected);
        assertThat(LlamaRopeLayout.pairsToHalves(expected, heads, hd, cols)).containsExactly(hf);
    }

    /**
     * The point of the permutation: adjacent-pair RoPE of W·x and rotate-half RoPE of W'·x (W' = the permuted W) are
     * the same vector up to that permutation, at every position, so attention scores q·k are unchanged.
     */
    @Test
    void rotateHalfOnPermutedRowsEqualsAdjacentPairsOnTheOriginal() {
        int heads = 2, hd = 8, cols = 6, t = 7;
        Rng rng = new Rng(2);
        float[] w = random(rng, heads * hd * cols);
        float[] wHalves = LlamaRopeLayout.pairsToHalves(w, heads, hd, cols);
        float[] x = random(rng, t * cols);
        float[] pairs = project(w, x, t, heads * hd, cols);
        float[] halves = project(wHalves, x, t, heads * hd, cols);
        RopeKernel.forward(pairs, pairs, new RopeTable(hd, t, 10000f, RopeMode.NORMAL), 1, t, heads);
        RopeKernel.forward(halves, halves, new RopeTable(hd, t, 10000f, RopeMode.NEOX), 1, t, heads);
        float[] back = LlamaRopeLayout.halvesToPairs(halves, t * heads, hd, 1);
        for (int i = 0; i < pairs.length; i++) assertThat(back[i]).as("element %d", i).isCloseTo(pairs[i], offset(1e-5f));
    }

    /** (t, rows) = x (t, cols) · wᵀ for w (rows, cols). */
    private static float[] project(float[] w, float[] x, int t, int rows, int cols) {
        float[] y = new float[t * rows];
        for (int p = 0; p < t; p++) {
            for (int r = 0; r < rows; r++) {
                float s = 0;
                for (int c = 0; c < cols; c++) s += w[r * cols + c] * x[p * cols + c];
                y[p * rows + r] = s;
            }
        }
        return y;
    }

    @Test
    void wrongSizesAreRejected() {
        assertThatThrownBy(() -> LlamaRopeLayout.pairsToHalves(new float[10], 1, 8, 1))
                .hasMessage("10 values for a projection of 1 heads x 8 rows x 1 columns");
        assertThatThrownBy(() -> LlamaRopeLayout.halvesToPairs(new float[6], 1, 3, 2))
                .hasMessageContaining("head dimension 3 must be positive and even");
    }
}

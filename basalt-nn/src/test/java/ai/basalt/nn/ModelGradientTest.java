package ai.basalt.nn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Whole-model finite differences: the loss of a small GPT-2-style and Llama-style transformer against
 * sampled elements of every parameter, with initial weights large enough for every path to matter.
 */
class ModelGradientTest {

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void lossGradientOfEveryParameter(boolean llama) {
        long seed = llama ? 5 : 6;
        TinyTransformer model = new TinyTransformer(seed, 11, 6, 16, 4, llama ? 2 : 4, 2, llama, 0f);
        Rng rng = new Rng(seed);
        for (Var p : model.parameters()) {
            for (int i = 0; i < p.size(); i++) p.data()[i] += (float) (0.3 * rng.nextGaussian());
        }
        int b = 2, t = 6;
        int[] tokens = new int[b * t], targets = new int[b * t];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = rng.nextInt(11);
            targets[i] = rng.nextInt(11);
        }
        Graph g = new Graph();
        g.backward(g.crossEntropy(model.forward(g, tokens, b, t), targets, -1));
        List<Var> params = model.parameters();
        int checked = 0;
        for (Var p : params) {
            float[] grad = p.grad().clone();
            for (int s = 0; s < 6; s++) {
                int i = rng.nextInt(p.size());
                float orig = p.data()[i];
                double eps = 1e-2;
                p.data()[i] = (float) (orig + eps);
                double plus = loss(model, tokens, targets, b, t);
                p.data()[i] = (float) (orig - eps);
                double minus = loss(model, tokens, targets, b, t);
                p.data()[i] = orig;
                double fd = (plus - minus) / (2 * eps);
                double err = Math.abs(fd - grad[i]);
                if (err > 2e-2 * Math.max(Math.abs(fd), 2e-2)) {
                    throw new AssertionError(p + " element " + i + ": analytic " + grad[i] + ", finite difference " + fd + " (seed " + seed + ")");
                }
                checked++;
            }
        }
        assertThat(checked).isEqualTo(6 * params.size());
    }

    private static double loss(TinyTransformer model, int[] tokens, int[] targets, int b, int t) {
        Graph g = new Graph();
        g.setGradEnabled(false);
        return g.crossEntropy(model.forward(g, tokens, b, t), targets, -1).item();
    }
}

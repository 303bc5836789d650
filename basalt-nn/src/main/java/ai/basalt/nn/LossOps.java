package ai.basalt.nn;

import ai.basalt.nn.kernel.CrossEntropyKernel;

/** The graph side of the fused softmax cross-entropy. */
final class LossOps {
    private LossOps() {}

    /**
     * The mean over positions not equal to {@code ignoreIndex} of −log softmax(logits)[target], logits
     * (…, V) flattened to (N, V), targets (N). With every position ignored the mean is NaN, as in PyTorch.
     */
    static Var crossEntropy(Graph g, Var logits, int[] targets, int ignoreIndex) {
        int v = logits.cols(), n = logits.size / v;
        if (targets.length < n) {
            throw new ShapeMismatchException("crossEntropy: " + targets.length + " targets for " + n + " rows of " + logits);
        }
        int count = 0;
        for (int i = 0; i < n; i++) {
            if (targets[i] == ignoreIndex) continue;
            if (targets[i] < 0 || targets[i] >= v) {
                throw new IllegalArgumentException("crossEntropy: target " + targets[i] + " at " + i + " is outside [0, " + v + ")");
            }
            count++;
        }
        Var out = g.output("crossEntropy", new int[0], logits);
        float[] losses = g.scratch(n); // (N)
        float[] lse = g.scratch(n); // (N)
        CrossEntropyKernel.forward(losses, lse, logits.data, targets, 0, n, v, ignoreIndex);
        double sum = 0;
        for (int i = 0; i < n; i++) sum += losses[i];
        out.data[0] = (float) (sum / count);
        int counted = count;
        g.record(out, () -> CrossEntropyKernel.backward(g.grad(logits), out.grad[0] / counted, logits.data, lse,
                targets, 0, n, v, ignoreIndex));
        return out;
    }
}

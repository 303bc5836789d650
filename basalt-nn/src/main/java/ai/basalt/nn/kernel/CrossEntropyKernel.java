package ai.basalt.nn.kernel;

import static ai.basalt.nn.kernel.Lanes.F;
import static ai.basalt.nn.kernel.Lanes.L;

import ai.basalt.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Softmax followed by the negative log-likelihood of the target class, fused (llm.c
 * {@code crossentropy_softmax_backward}), with {@code torch.nn.functional.cross_entropy}'s ignore index.
 * Only the log-sum-exp of each row is kept, not the probabilities: the backward recomputes them, which
 * costs one exp per logit and saves an (N, V) buffer.
 *
 * <p>Shapes: logits, dlogits (N, V); targets (N); losses, lse (N).
 *
 * <p>{@link #forward} and {@link #backward} run the exponentials in Vector API lanes (with a large
 * vocabulary they are two of the most expensive loops of a step); {@link #forwardScalar} and
 * {@link #backwardScalar} are the reference, with sums in double.
 */
public final class CrossEntropyKernel {
    private CrossEntropyKernel() {}

    /**
     * losses[r] ← logsumexp(logits[r]) − logits[r, target[r]], lse[r] ← logsumexp(logits[r]); rows whose
     * target is {@code ignoreIndex} get 0 for both. Targets must already be checked to lie in [0, V).
     */
    public static void forwardScalar(float[] losses, float[] lse, float[] logits, int[] targets, int tOff,
            int n, int v, int ignoreIndex) {
        Parallel.forRows(n, 8L * v, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int target = targets[tOff + r];
                if (target == ignoreIndex) {
                    losses[r] = 0f;
                    lse[r] = 0f;
                    continue;
                }
                int at = r * v;
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < v; j++) max = Math.max(max, logits[at + j]);
                double sum = 0;
                for (int j = 0; j < v; j++) sum += Math.exp(logits[at + j] - max);
                float l = max + (float) Math.log(sum);
                lse[r] = l;
                losses[r] = l - logits[at + target];
            }
        });
    }

    /**
     * dlogits[r] += dscale · (softmax(logits[r]) − onehot(target[r])) for every row not ignored, where
     * dscale is the upstream gradient of the mean loss divided by the number of rows counted.
     */
    public static void backwardScalar(float[] dlogits, float dscale, float[] logits, float[] lse, int[] targets, int tOff,
            int n, int v, int ignoreIndex) {
        Parallel.forRows(n, 8L * v, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int target = targets[tOff + r];
                if (target == ignoreIndex) continue;
                int at = r * v;
                float l = lse[r];
                for (int j = 0; j < v; j++) dlogits[at + j] += dscale * (float) Math.exp(logits[at + j] - l);
                dlogits[at + target] -= dscale;
            }
        });
    }

    /** {@link #forwardScalar} with lane-wise max and {@link Lanes#exp}, partial sums in float lanes. */
    public static void forward(float[] losses, float[] lse, float[] logits, int[] targets, int tOff,
            int n, int v, int ignoreIndex) {
        Parallel.forRows(n, 4L * v, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int target = targets[tOff + r];
                if (target == ignoreIndex) {
                    losses[r] = 0f;
                    lse[r] = 0f;
                    continue;
                }
                int at = r * v, end = F.loopBound(v);
                FloatVector maxes = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
                for (int j = 0; j < end; j += L) maxes = maxes.max(FloatVector.fromArray(F, logits, at + j));
                float max = maxes.reduceLanes(VectorOperators.MAX);
                for (int j = end; j < v; j++) max = Math.max(max, logits[at + j]);
                FloatVector sums = FloatVector.zero(F);
                for (int j = 0; j < end; j += L) {
                    sums = sums.add(Lanes.exp(FloatVector.fromArray(F, logits, at + j).sub(max)));
                }
                float sum = Lanes.sum(sums);
                for (int j = end; j < v; j++) sum += Lanes.exp(logits[at + j] - max);
                float l = max + (float) Math.log(sum);
                lse[r] = l;
                losses[r] = l - logits[at + target];
            }
        });
    }

    /** {@link #backwardScalar} with lane-wise exponentials. */
    public static void backward(float[] dlogits, float dscale, float[] logits, float[] lse, int[] targets, int tOff,
            int n, int v, int ignoreIndex) {
        Parallel.forRows(n, 4L * v, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int target = targets[tOff + r];
                if (target == ignoreIndex) continue;
                int at = r * v, end = F.loopBound(v);
                float l = lse[r];
                for (int j = 0; j < end; j += L) {
                    FloatVector p = Lanes.exp(FloatVector.fromArray(F, logits, at + j).sub(l));
                    p.mul(dscale).add(FloatVector.fromArray(F, dlogits, at + j)).intoArray(dlogits, at + j);
                }
                for (int j = end; j < v; j++) dlogits[at + j] += dscale * Lanes.exp(logits[at + j] - l);
                dlogits[at + target] -= dscale;
            }
        });
    }
}

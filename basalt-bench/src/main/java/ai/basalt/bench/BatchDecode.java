package ai.basalt.bench;

import ai.basalt.model.InferenceState;
import ai.basalt.model.LanguageModel;
import ai.basalt.model.Models;
import ai.basalt.tensor.Parallel;
import ai.basalt.tensor.TensorOps;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * One decode step of several sequences at once ({@code LanguageModel.forwardBatch}) on a real-shaped model, timed per
 * batch size: aggregate tokens per second against one sequence's. Each of the sequences holds a prompt of
 * {@value #PROMPT} tokens and every step decodes at the position after it (rewriting that cache position), so that
 * attention costs the same in every round. The batch sizes alternate within each round (the machine's speed swings
 * by up to 2× over seconds), and each size's tokens per second is divided by size 1's of the same round; medians of
 * both are printed.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp basalt-bench/target/benchmarks.jar ai.basalt.bench.BatchDecode
 *     MODEL.gguf [threads=2] [rounds=12] [steps=4] [sizes=1,2,4,8]</pre>
 */
public final class BatchDecode {
    static final int PROMPT = 32;

    private BatchDecode() {}

    public static void main(String[] args) {
        Path file = Path.of(args[0]);
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 12;
        int steps = args.length > 3 ? Integer.parseInt(args[3]) : 4;
        int[] sizes = Arrays.stream((args.length > 4 ? args[4] : "1,2,4,8").split(",")).mapToInt(Integer::parseInt).toArray();
        Parallel.setThreads(threads);
        try (LanguageModel model = Models.load(file)) {
            int most = Arrays.stream(sizes).max().orElseThrow();
            SplittableRandom rnd = new SplittableRandom(1);
            InferenceState[] states = new InferenceState[most];
            int[] tokens = new int[most], positions = new int[most];
            for (int i = 0; i < most; i++) {
                states[i] = model.newState(PROMPT + 1);
                model.prefill(states[i], rnd.ints(PROMPT, 0, model.vocabularySize()).toArray(), 0, false);
                tokens[i] = rnd.nextInt(model.vocabularySize());
                positions[i] = PROMPT;
            }
            int warmup = 2;
            double[][] tps = new double[sizes.length][rounds];
            double[][] ratio = new double[sizes.length][rounds];
            for (int r = -warmup; r < rounds; r++) {
                double[] round = new double[sizes.length];
                for (int j = 0; j < sizes.length; j++) {
                    int s = (j + Math.max(r, 0)) % sizes.length; // a different size first in each round
                    int k = sizes[s];
                    InferenceState[] batch = Arrays.copyOf(states, k);
                    int[] t = Arrays.copyOf(tokens, k), p = Arrays.copyOf(positions, k);
                    long start = System.nanoTime();
                    for (int step = 0; step < steps; step++) model.forwardBatch(batch, t, p, true);
                    round[s] = (double) k * steps / ((System.nanoTime() - start) / 1e9);
                }
                if (r < 0) continue;
                for (int s = 0; s < sizes.length; s++) {
                    tps[s][r] = round[s];
                    ratio[s][r] = round[s] / round[0];
                }
            }
            System.out.printf(Locale.ROOT, "%s, %s, %d threads, %d rounds of %d steps at position %d%n", file.getFileName(),
                    TensorOps.best().name(), threads, rounds, steps, PROMPT);
            System.out.println("batch  tok/s (median)  min-max         ratio to batch " + sizes[0] + " (median of paired)");
            for (int s = 0; s < sizes.length; s++) {
                double[] v = tps[s].clone(), q = ratio[s].clone();
                Arrays.sort(v);
                Arrays.sort(q);
                System.out.printf(Locale.ROOT, "%5d  %14.2f  %6.2f-%-6.2f  %.2f (%.2f-%.2f)%n", sizes[s], median(v), v[0],
                        v[v.length - 1], median(q), q[0], q[q.length - 1]);
            }
        }
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}

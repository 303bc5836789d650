import ai.basalt.model.InferenceState;
import ai.basalt.model.LanguageModel;
import ai.basalt.model.Models;
import ai.basalt.tensor.Parallel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * One side of {@code prefill_ab.sh}: the median time of one prompt's prefill (random tokens, logits computed), after two
 * unmeasured runs, with whichever basalt-tensor classes come first on the class path.
 */
public class PrefillTime {
    public static void main(String[] a) {
        Path model = Path.of(a[0]);
        int tokens = Integer.parseInt(a[1]), threads = Integer.parseInt(a[2]), runs = 7;
        Parallel.setThreads(threads);
        try (LanguageModel m = Models.load(model)) {
            int[] prompt = new SplittableRandom(1).ints(tokens, 0, m.vocabularySize()).toArray();
            InferenceState state = m.newState(tokens + 1);
            double[] seconds = new double[runs];
            for (int r = -2; r < runs; r++) {
                long t0 = System.nanoTime();
                m.prefill(state, prompt, 0, true);
                if (r >= 0) seconds[r] = (System.nanoTime() - t0) / 1e9;
            }
            Arrays.sort(seconds);
            System.out.printf(Locale.ROOT, "%s %d tokens, %d threads: median %.3f s (%.1f tok/s)%n", model.getFileName(), tokens,
                    threads, seconds[runs / 2], tokens / seconds[runs / 2]);
        }
    }
}

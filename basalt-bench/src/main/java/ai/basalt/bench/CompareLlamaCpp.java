package ai.basalt.bench;

import ai.basalt.generate.SpeedTest;
import ai.basalt.model.InferenceState;
import ai.basalt.model.LanguageModel;
import ai.basalt.model.Models;
import ai.basalt.tensor.Parallel;
import ai.basalt.testkit.llamacpp.LlamaCppOracle;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code ./basalt bench --compare-llamacpp}: Basalt and llama.cpp on the same GGUF file in one process, the
 * same prompt tokens, threads and test definitions ({@link SpeedTest}; llama.cpp through
 * {@link LlamaCppOracle#time}, the library bundled in {@code de.kherud:llama}, a generic CPU build), measured
 * alternately, Basalt first in even repetitions and llama.cpp first in odd ones, so that both meet the same
 * machine load. Prints medians and their ratios, as a table or one JSON object.
 *
 * <p>llama.cpp runs with its defaults otherwise: F16 KV cache, the whole prompt as one batch. This class lives
 * in the benchmark module because llama.cpp is never a dependency of the product; the launcher runs it when
 * {@code bench} is given {@code --compare-llamacpp}.
 */
public final class CompareLlamaCpp {
    private CompareLlamaCpp() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new LinkedHashMap<>();
        boolean json = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--json")) {
                json = true;
            } else if (a.equals("--compare-llamacpp") || a.equals("bench")) {
                continue;
            } else if (a.startsWith("-") && i + 1 < args.length) {
                opts.put(a, args[++i]);
            } else {
                fail("unexpected argument " + a);
            }
        }
        Path file = Path.of(option(opts, "", "--model", "-m"));
        int prompt = Integer.parseInt(option(opts, "128", "--prompt-tokens", "-p"));
        int gen = Integer.parseInt(option(opts, "64", "--gen-tokens", "-n"));
        int threads = Integer.parseInt(option(opts, Integer.toString(Parallel.threads()), "--threads", "-t"));
        int reps = Integer.parseInt(option(opts, "5", "--repetitions", "-r"));
        int warmup = Integer.parseInt(option(opts, "1", "--warmup", "-w"));
        if (!Files.isRegularFile(file)) fail(file + ": no such GGUF file (--compare-llamacpp needs a GGUF model)");
        if (prompt < 1 || gen < 1 || threads < 1 || reps < 1 || warmup < 0) fail("sizes and counts must be at least 1");
        Parallel.setThreads(threads);
        // the binding's loader announces the native library it extracts on standard output: keep that for JSON
        java.io.PrintStream stdout = System.out;
        System.setOut(System.err);
        LlamaCppOracle.loadNativeLibrary();
        System.setOut(stdout);

        try (LanguageModel model = Models.load(file);
                LlamaCppOracle peer = LlamaCppOracle.open(file,
                        new LlamaCppOracle.Options(Math.max(prompt, gen), threads, LlamaCppOracle.KvCache.F16))) {
            if (prompt > model.contextLength() || gen > model.contextLength()) fail("more tokens than the model's context");
            int[] tokens = new SplittableRandom(1234).ints(prompt, 0, model.vocabularySize()).toArray();
            InferenceState promptState = model.newState(prompt);
            InferenceState genState = model.newState(gen);
            for (int i = 0; i < warmup; i++) {
                SpeedTest.prompt(model, promptState, tokens);
                SpeedTest.generation(model, genState, gen);
                peer.time(tokens, gen);
            }
            double[][] runs = new double[4][reps]; // basalt pp, basalt tg, llama.cpp pp, llama.cpp tg (tokens/s)
            for (int r = 0; r < reps; r++) {
                for (int side : r % 2 == 0 ? new int[] {0, 1} : new int[] {1, 0}) {
                    if (side == 0) {
                        runs[0][r] = prompt * 1e9 / SpeedTest.prompt(model, promptState, tokens);
                        runs[1][r] = gen * 1e9 / SpeedTest.generation(model, genState, gen);
                    } else {
                        long[] t = peer.time(tokens, gen);
                        runs[2][r] = prompt * 1e9 / t[0];
                        runs[3][r] = gen * 1e9 / t[1];
                    }
                }
            }
            report(model, file, threads, prompt, gen, reps, runs, json);
        }
    }

    private static void report(LanguageModel model, Path file, int threads, int prompt, int gen, int reps,
            double[][] runs, boolean json) throws Exception {
        double bpp = SpeedTest.median(runs[0]), btg = SpeedTest.median(runs[1]), lpp = SpeedTest.median(runs[2]),
                ltg = SpeedTest.median(runs[3]);
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("model", model.name());
            doc.put("file", file.toString());
            doc.put("type", model.weightType());
            doc.put("threads", threads);
            doc.put("prompt_tokens", prompt);
            doc.put("gen_tokens", gen);
            doc.put("repetitions", reps);
            doc.put("basalt", side(bpp, btg, runs[0], runs[1]));
            Map<String, Object> peer = side(lpp, ltg, runs[2], runs[3]);
            peer.put("build", LlamaCppOracle.buildInfo());
            doc.put("llamacpp", peer);
            doc.put("prefill_ratio", bpp / lpp);
            doc.put("decode_ratio", btg / ltg);
            System.out.println(new ObjectMapper().writeValueAsString(doc));
            return;
        }
        System.out.printf(Locale.ROOT, "%s (%s), %d threads, medians of %d alternating runs; llama.cpp %s%n", model.name(),
                model.weightType(), threads, reps, LlamaCppOracle.buildInfo());
        System.out.printf(Locale.ROOT, "| test | Basalt t/s | llama.cpp t/s | Basalt / llama.cpp |%n|---|---|---|---|%n");
        System.out.printf(Locale.ROOT, "| pp%d | %.2f | %.2f | %.2f |%n", prompt, bpp, lpp, bpp / lpp);
        System.out.printf(Locale.ROOT, "| tg%d | %.2f | %.2f | %.2f |%n", gen, btg, ltg, btg / ltg);
    }

    private static Map<String, Object> side(double pp, double tg, double[] ppRuns, double[] tgRuns) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("prefill_tokens_per_second", pp);
        m.put("decode_tokens_per_second", tg);
        m.put("prefill_runs", ppRuns);
        m.put("decode_runs", tgRuns);
        return m;
    }

    private static String option(Map<String, String> opts, String fallback, String... names) {
        for (String n : names) if (opts.containsKey(n)) return opts.get(n);
        if (fallback.isEmpty()) fail("missing " + names[0]);
        return fallback;
    }

    private static void fail(String message) {
        System.err.println("basalt: " + message);
        System.exit(2);
    }
}

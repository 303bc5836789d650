package ai.basalt.cli;

import ai.basalt.generate.SpeedTest;
import ai.basalt.model.InferenceState;
import ai.basalt.model.KvType;
import ai.basalt.model.LanguageModel;
import ai.basalt.tensor.Parallel;
import ai.basalt.tensor.TensorOps;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code basalt bench}: prompt-processing and generation speed, measured like llama-bench: a prompt of
 * random tokens evaluated from an empty cache (pp), then tokens generated one at a time (tg), each
 * repeated and reported as the median tokens per second after a warm-up run.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure prompt processing (pp) and generation (tg) speed in tokens per second.")
final class BenchCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Mixin
    ModelOption modelOption;

    @Option(names = {"-p", "--prompt-tokens"}, paramLabel = "N", description = "Prompt length (default: ${DEFAULT-VALUE}).")
    int promptTokens = 128;

    @Option(names = {"-n", "--gen-tokens"}, paramLabel = "N", description = "Tokens to generate (default: ${DEFAULT-VALUE}).")
    int genTokens = 64;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Threads (default: all processors, ${DEFAULT-VALUE}).")
    int threads = Parallel.threads();

    @Option(names = {"-r", "--repetitions"}, paramLabel = "N", description = "Measured runs of each test (default: ${DEFAULT-VALUE}).")
    int repetitions = 5;

    @Option(names = {"-w", "--warmup"}, paramLabel = "N", description = "Unmeasured runs first, for the JIT (default: ${DEFAULT-VALUE}).")
    int warmup = 3;

    @Option(names = {"-d", "--depth"}, paramLabel = "N", description = "Context already in the cache when generation "
            + "is timed, prefilled untimed (default: ${DEFAULT-VALUE}).")
    int depth = 0;

    @Mixin
    KvTypeOption kvType = new KvTypeOption();

    @Option(names = "--json", description = "Print one JSON object instead of a table.")
    boolean json;

    @Option(names = "--compare-llamacpp", description = "Run llama.cpp (de.kherud:llama) on the same GGUF file in the "
            + "same run, alternating, and print both and their ratios. Runs from the benchmark module through the "
            + "./basalt launcher: llama.cpp is never part of the product.")
    boolean compareLlamaCpp;

    @Spec
    CommandSpec spec;

    /** Tokens per second of each measured run, and their median. */
    record Measurement(String test, int tokens, double[] tokensPerSecond) {
        double median() {
            return SpeedTest.median(tokensPerSecond);
        }
    }

    @Override
    public Integer call() {
        if (promptTokens < 1 || genTokens < 1 || repetitions < 1 || threads < 1 || warmup < 0 || depth < 0) {
            throw new Main.UsageException("--prompt-tokens, --gen-tokens, --repetitions and --threads must be at least 1, "
                    + "--warmup and --depth at least 0");
        }
        if (compareLlamaCpp) {
            throw new Main.UsageException("--compare-llamacpp runs from the benchmark module: start it through the "
                    + "./basalt launcher, which builds and runs it (llama.cpp is never part of this jar)");
        }
        KvType kv = kvType.type();
        Parallel.setThreads(threads);
        try (LanguageModel model = modelOption.load(main.hub())) {
            if (Math.max(promptTokens, depth + genTokens) > model.contextLength()) {
                throw new Main.UsageException("--prompt-tokens " + promptTokens + " or --depth + --gen-tokens "
                        + (depth + genTokens) + " exceeds the model's context of " + model.contextLength());
            }
            int[] prompt = new SplittableRandom(1234).ints(promptTokens, 0, model.vocabularySize()).toArray();
            // one state per test, reused by every run (as llama-bench clears and reuses its context): runs
            // overwrite the cache from position 0 and allocate nothing
            InferenceState promptState = model.newState(promptTokens, kv);
            InferenceState genState = model.newState(depth + genTokens, kv);
            int[] context = depth == 0 ? null : new SplittableRandom(4321).ints(depth, 0, model.vocabularySize()).toArray();
            Measurement pp = measure("pp" + promptTokens, promptTokens, () -> SpeedTest.prompt(model, promptState, prompt));
            Measurement tg = measure("tg" + genTokens + (depth == 0 ? "" : "@d" + depth), genTokens,
                    () -> SpeedTest.generation(model, genState, genTokens, context));
            report(model, kv, genState.cacheBytes(), pp, tg);
        }
        return 0;
    }

    private Measurement measure(String test, int tokens, java.util.function.LongSupplier run) {
        for (int i = 0; i < warmup; i++) run.getAsLong(); // JIT compilation and page cache
        double[] tps = new double[repetitions];
        for (int i = 0; i < repetitions; i++) tps[i] = tokens * 1e9 / run.getAsLong();
        return new Measurement(test, tokens, tps);
    }

    /**
     * The process's peak resident set (Linux {@code VmHWM}: heap, code and the pages of the memory-mapped model
     * touched), or -1 where /proc does not tell it.
     */
    static long peakRssBytes() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.substring(6).trim().split("\\s+")[0]) * 1024;
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private void report(LanguageModel model, KvType kv, long cacheBytes, Measurement... ms) {
        PrintWriter out = spec.commandLine().getOut();
        String kernels = TensorOps.best().name();
        if (json) {
            List<Map<String, Object>> results = new ArrayList<>();
            for (Measurement m : ms) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("test", m.test());
                r.put("tokens", m.tokens());
                r.put("median_tokens_per_second", m.median());
                r.put("runs_tokens_per_second", m.tokensPerSecond());
                results.add(r);
            }
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("model", model.name());
            doc.put("architecture", model.architecture());
            doc.put("parameters", model.parameterCount());
            doc.put("type", model.weightType());
            doc.put("prefill_tokens_per_second", ms[0].median());
            doc.put("decode_tokens_per_second", ms[1].median());
            doc.put("prompt_tokens", ms[0].tokens());
            doc.put("gen_tokens", ms[1].tokens());
            doc.put("depth", depth);
            doc.put("peak_rss_bytes", peakRssBytes());
            doc.put("kv_type", kv.name());
            doc.put("kv_cache_bytes", cacheBytes);
            doc.put("threads", threads);
            doc.put("kernels", kernels);
            doc.put("repetitions", repetitions);
            doc.put("warmup", warmup);
            doc.put("java", Runtime.version().toString());
            doc.put("results", results);
            try {
                out.println(new ObjectMapper().writeValueAsString(doc));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot write benchmark JSON: " + e.getMessage(), e);
            }
        } else {
            out.printf(Locale.ROOT, "| %-24s | %10s | %7s | %-10s | %-6s | %14s |%n", "model", "params", "threads", "kernels",
                    "test", "t/s (median)");
            out.printf("|%s|%s|%s|%s|%s|%s|%n", "-".repeat(26), "-".repeat(12), "-".repeat(9), "-".repeat(12),
                    "-".repeat(8), "-".repeat(16));
            for (Measurement m : ms) {
                out.printf(Locale.ROOT, "| %-24s | %10s | %7d | %-10s | %-6s | %14.1f |%n", model.name(),
                        ModelsCommand.human(model.parameterCount(), 1000, ""), threads, kernels, m.test(), m.median());
            }
        }
        out.flush();
    }
}

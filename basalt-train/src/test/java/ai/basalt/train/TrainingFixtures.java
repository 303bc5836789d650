package ai.basalt.train;

import ai.basalt.tokenizer.CharTokenizer;
import ai.basalt.train.data.DataPreparer;
import ai.basalt.train.data.PrepareOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** A small corpus, its character tokenizer and prepared shards, and small configs, for trainer and CLI tests. */
public final class TrainingFixtures {
    /** About 1.5 KB of text, 30 distinct characters, with structure a bigram model can learn. */
    public static final String CORPUS;

    static {
        StringBuilder s = new StringBuilder();
        String[] lines = {"the quick brown fox jumps over the lazy dog.", "a stitch in time saves nine.",
            "to be or not to be, that is the question.", "all that glitters is not gold."};
        for (int i = 0; i < 40; i++) s.append(lines[i % lines.length]).append('\n');
        CORPUS = s.toString();
    }

    private TrainingFixtures() {}

    /** Writes the corpus, its character tokenizer and the two shards under {@code dir}; returns the data folder. */
    public static Path prepare(Path dir) {
        try {
            Files.createDirectories(dir);
            Path corpus = dir.resolve("corpus.txt");
            Files.writeString(corpus, CORPUS, StandardCharsets.UTF_8);
            CharTokenizer tokenizer = CharTokenizer.fromCorpus(CORPUS);
            tokenizer.save(dir.resolve("chars.json"));
            Path data = dir.resolve("data");
            new DataPreparer(tokenizer, PrepareOptions.defaults().withThreads(1))
                    .prepare(List.of(corpus), data, DataPreparer.Progress.NONE);
            return data;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The tokenizer file {@link #prepare} wrote beside the data folder. */
    public static Path tokenizer(Path data) {
        return data.resolveSibling("chars.json");
    }

    /** Settings of a tiny, fast run over {@link #prepare}'s data into {@code out}. */
    public static Map<ConfigKey, Object> settings(Path data, Path out, long steps) {
        Map<ConfigKey, Object> v = new EnumMap<>(ConfigKey.class);
        v.put(ConfigKey.DATA, data);
        v.put(ConfigKey.TOKENIZER, tokenizer(data));
        v.put(ConfigKey.ARCH, "gpt2");
        v.put(ConfigKey.LAYERS, 1);
        v.put(ConfigKey.HEADS, 2);
        v.put(ConfigKey.DIM, 8);
        v.put(ConfigKey.CONTEXT, 16);
        v.put(ConfigKey.DROPOUT, 0.1f);
        v.put(ConfigKey.BATCH, 4);
        v.put(ConfigKey.ACCUMULATE, 2);
        v.put(ConfigKey.STEPS, steps);
        v.put(ConfigKey.LR, 3e-2);
        v.put(ConfigKey.WARMUP, 2L);
        v.put(ConfigKey.EVAL_INTERVAL, 5L);
        v.put(ConfigKey.EVAL_BATCHES, 2);
        v.put(ConfigKey.LOG_INTERVAL, 2L);
        v.put(ConfigKey.CHECKPOINT_INTERVAL, 5L);
        v.put(ConfigKey.THREADS, 2);
        v.put(ConfigKey.OUT, out);
        return v;
    }

    public static TrainingConfig config(Path data, Path out, long steps) {
        return ConfigKey.resolve(settings(data, out, steps));
    }
}

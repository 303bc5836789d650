package ai.basalt.tokenizer.training;

import ai.basalt.format.gguf.TokenType;
import ai.basalt.tokenizer.BpeMerge;
import ai.basalt.tokenizer.ByteLevel;
import ai.basalt.tokenizer.ByteLevelBpeTokenizer;
import ai.basalt.tokenizer.PreTokenizer;
import ai.basalt.tokenizer.Vocabulary;
import java.io.BufferedReader;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Trains a byte-level BPE tokenizer on a corpus, following the standard algorithm as Stanford CS336's reference
 * trainer (assignment 1, {@code train_bpe}) runs it, and reproducing its output exactly:
 * <ol>
 *   <li>the corpus is split at special tokens, which are dropped, and each piece is cut into pre-tokens by the
 *       {@link PreTokenizer} (GPT-2's pattern by default); each distinct pre-token is counted;</li>
 *   <li>starting from the 256 single bytes, the most frequent adjacent pair (counted within pre-tokens, times the
 *       pre-token's count) is merged into a new token, ties going to the lexicographically greatest pair of byte
 *       strings, until the vocabulary reaches its size ({@link MergeLoop}).</li>
 * </ol>
 * Vocabulary order (ids): the special tokens in the order given, then the 256 bytes in the order of their
 * {@link ByteLevel} characters, then one token per merge in merge order; {@code vocabSize} counts all three. A
 * merge that remakes an existing token (rare: {@code a+bc} after {@code ab+c}) is kept as a rule but adds no
 * token, so token texts stay distinct. The first special token, if any, is BOS and EOS (as GPT-2's
 * {@code <|endoftext|>}); none is added by {@code encode}.
 *
 * <p>The corpus is streamed and counted on {@link Config#threads()} threads; memory holds the distinct
 * pre-tokens, not the corpus. Results do not depend on the thread count or chunk size.
 */
public final class BpeTrainer {

    /** The two phases a {@link Progress} hears about. */
    public enum Phase {
        /** Reading and pre-tokenizing the corpus; done and total in bytes for files, chars for readers. */
        COUNTING,
        /** Merging; done and total in merges. */
        MERGING
    }

    /** Hears how far training has gone: called often, from the training thread; a total of -1 is unknown. */
    @FunctionalInterface
    public interface Progress {
        Progress NONE = (phase, done, total) -> {};

        void update(Phase phase, long done, long total);
    }

    /**
     * What to train.
     *
     * @param vocabSize     tokens in the result: special tokens, 256 bytes and merges
     * @param specialTokens special tokens, distinct and non-empty, kept out of training and put first
     * @param preTokenizer  how the corpus is cut into pre-tokens
     * @param threads       threads counting pre-tokens
     * @param chunkChars    about how many chars each counting task takes
     */
    public record Config(int vocabSize, List<String> specialTokens, PreTokenizer preTokenizer, int threads, int chunkChars) {
        public Config {
            specialTokens = List.copyOf(specialTokens);
            Objects.requireNonNull(preTokenizer, "preTokenizer");
            if (new HashSet<>(specialTokens).size() != specialTokens.size() || specialTokens.contains("")) {
                throw new IllegalArgumentException("special tokens must be distinct and non-empty: " + specialTokens);
            }
            if (vocabSize < 256 + specialTokens.size()) {
                throw new IllegalArgumentException("vocabSize " + vocabSize + " is too small: at least 256 + "
                        + specialTokens.size() + " special tokens expected");
            }
            if (threads < 1 || chunkChars < 1) {
                throw new IllegalArgumentException("threads " + threads + " and chunkChars " + chunkChars + " must be positive");
            }
        }

        /** GPT-2 pre-tokenization on all processors, in chunks of 1 Mi chars. */
        public Config(int vocabSize, List<String> specialTokens) {
            this(vocabSize, specialTokens, PreTokenizer.GPT2, Runtime.getRuntime().availableProcessors(), 1 << 20);
        }

        public Config withThreads(int threads) {
            return new Config(vocabSize, specialTokens, preTokenizer, threads, chunkChars);
        }

        public Config withChunkChars(int chunkChars) {
            return new Config(vocabSize, specialTokens, preTokenizer, threads, chunkChars);
        }
    }

    private final Config config;
    private final Progress progress;

    public BpeTrainer(Config config, Progress progress) {
        this.config = Objects.requireNonNull(config, "config");
        this.progress = Objects.requireNonNull(progress, "progress");
    }

    public BpeTrainer(Config config) {
        this(config, Progress.NONE);
    }

    /** Trains on a UTF-8 text file (malformed bytes read as U+FFFD), streamed. */
    public ByteLevelBpeTokenizer train(Path corpus) {
        try {
            long size = Files.size(corpus);
            try (CountingStream bytes = new CountingStream(Files.newInputStream(corpus));
                    Reader text = new BufferedReader(new InputStreamReader(bytes, StandardCharsets.UTF_8.newDecoder()
                            .onMalformedInput(CodingErrorAction.REPLACE)
                            .onUnmappableCharacter(CodingErrorAction.REPLACE)))) {
                return train(text, chars -> progress.update(Phase.COUNTING, bytes.count, size));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(corpus + ": cannot read corpus (" + e.getMessage() + ")", e);
        }
    }

    /** Trains on the text {@code corpus} yields, streamed; the reader is not closed. */
    public ByteLevelBpeTokenizer train(Reader corpus) {
        try {
            return train(corpus, chars -> progress.update(Phase.COUNTING, chars, -1));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read corpus (" + e.getMessage() + ")", e);
        }
    }

    public ByteLevelBpeTokenizer train(String corpus) {
        return train(new StringReader(corpus));
    }

    private ByteLevelBpeTokenizer train(Reader corpus, java.util.function.LongConsumer charsRead) throws IOException {
        Map<String, long[]> counts = new PreTokenCounter(config.preTokenizer(), config.specialTokens(),
                config.threads(), config.chunkChars()).count(corpus, charsRead);
        List<byte[]> words = new ArrayList<>(counts.size());
        long[] wordCounts = new long[counts.size()];
        for (Map.Entry<String, long[]> e : counts.entrySet()) {
            wordCounts[words.size()] = e.getValue()[0];
            words.add(e.getKey().getBytes(StandardCharsets.UTF_8));
        }
        counts.clear();
        MergeLoop loop = new MergeLoop(words, wordCounts);
        int specials = config.specialTokens().size();
        int targetMerges = config.vocabSize() - specials - 256;
        List<MergeLoop.Merge> merges = loop.run(config.vocabSize() - specials,
                (done, merge) -> progress.update(Phase.MERGING, done, targetMerges));
        return tokenizer(loop, merges);
    }

    /** The trained tokenizer, its ids laid out as the class comment says. */
    private ByteLevelBpeTokenizer tokenizer(MergeLoop loop, List<MergeLoop.Merge> merges) {
        List<String> specials = config.specialTokens();
        int n = specials.size() + loop.tokenCount();
        String[] tokens = new String[n];
        TokenType[] types = new TokenType[n];
        int id = 0;
        for (String special : specials) {
            types[id] = TokenType.CONTROL;
            tokens[id++] = special;
        }
        // the byte characters' code-point order is byte-to-unicode's own order: printable bytes, then the rest
        List<Character> byteChars = new ArrayList<>();
        for (int b = 0; b < 256; b++) byteChars.add(ByteLevel.charOf(b));
        byteChars.sort(null);
        for (char c : byteChars) {
            types[id] = TokenType.NORMAL;
            tokens[id++] = String.valueOf(c);
        }
        for (int t = 256; t < loop.tokenCount(); t++) {
            types[id] = TokenType.NORMAL;
            tokens[id++] = ByteLevel.encode(loop.bytes(t));
        }
        int eot = specials.isEmpty() ? -1 : 0;
        Vocabulary vocabulary = new Vocabulary(tokens, new float[n], types, eot, eot, -1, -1, false, false, false);
        List<BpeMerge> rules = new ArrayList<>(merges.size());
        for (MergeLoop.Merge m : merges) {
            rules.add(new BpeMerge(ByteLevel.encode(loop.bytes(m.left())), ByteLevel.encode(loop.bytes(m.right()))));
        }
        return new ByteLevelBpeTokenizer(vocabulary, rules, config.preTokenizer());
    }

    /** Counts the bytes read through it, for progress in bytes. */
    private static final class CountingStream extends FilterInputStream {
        volatile long count;

        CountingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) count++;
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) count += n;
            return n;
        }
    }
}

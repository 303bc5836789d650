package ai.basalt.train.data;

import ai.basalt.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Tokenizes a corpus of any size into a training and a validation {@link TokenShard}, streaming: the input is read
 * in chunks of about {@link PrepareOptions#chunkChars()} characters cut at line ends ({@link CorpusReader}), so
 * memory holds a bounded number of chunks, never the corpus.
 *
 * <p>The steps, in order: read the next chunk and decide where each of its pieces goes (train or validation, by
 * the split mode); tokenize chunks on {@link PrepareOptions#threads()} threads, appending the tokenizer's
 * end-of-sequence id after each document where it has one; write the results to the two shards in input order,
 * reporting progress after each chunk; finish both shards (header, atomic move). Because chunk boundaries and
 * split decisions depend only on the input and the options, the output is the same for any number of threads.
 *
 * <p>Text is encoded with {@code encode(text, false, false)}: no BOS/EOS added per piece and special-token texts
 * in the corpus stay plain text. A document longer than a chunk is encoded in pieces cut after a line end; a
 * tokenizer that treats the start of a text specially (SentencePiece's dummy prefix) sees each piece as a start.
 */
public final class DataPreparer {
    /** The training shard's file name in the output folder. */
    public static final String TRAIN_FILE = "train.tokens";
    /** The validation shard's file name in the output folder. */
    public static final String VALIDATION_FILE = "val.tokens";

    /** Told how far preparation has come. */
    @FunctionalInterface
    public interface Progress {
        /** Progress that reports nothing. */
        Progress NONE = (processed, total) -> { };

        /** Called from the preparing thread after each chunk is written; {@code totalBytes} is the inputs' size. */
        void update(long bytesProcessed, long totalBytes);
    }

    /**
     * What was written.
     *
     * @param documents documents read, empty ones not counted
     * @param bytes     input bytes read
     */
    public record Result(Path train, Path validation, long trainTokens, long validationTokens, long documents,
            long bytes) {}

    /** The tokens of one chunk, split between the two shards. */
    private record Encoded(int[] train, int trainLength, int[] validation, int validationLength, long bytes) {}

    private final Tokenizer tokenizer;
    private final PrepareOptions options;

    public DataPreparer(Tokenizer tokenizer, PrepareOptions options) {
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        this.options = Objects.requireNonNull(options, "options");
    }

    /**
     * Tokenizes {@code inputs}, in order, into {@value #TRAIN_FILE} and {@value #VALIDATION_FILE} in
     * {@code outputFolder} (created if missing). Each shard replaces a file of its name only once complete; a run
     * that fails leaves none of its own behind.
     *
     * @throws CorpusFormatException naming the file if an input cannot be read as the options say
     * @throws UncheckedIOException naming the file if an input or output cannot be read or written
     */
    public Result prepare(List<Path> inputs, Path outputFolder, Progress progress) {
        Objects.requireNonNull(progress, "progress");
        long totalBytes = totalBytes(inputs);
        try {
            Files.createDirectories(outputFolder);
        } catch (IOException e) {
            throw new UncheckedIOException(outputFolder + ": cannot create output folder (" + e + ")", e);
        }
        int vocabularySize = tokenizer.vocabulary().size();
        byte[] fingerprint = TokenizerFingerprint.of(tokenizer);
        Path trainPath = outputFolder.resolve(TRAIN_FILE);
        Path validationPath = outputFolder.resolve(VALIDATION_FILE);
        ExecutorService pool = Executors.newFixedThreadPool(options.threads(), runnable -> {
            Thread t = new Thread(runnable, "basalt-data-preparer");
            t.setDaemon(true);
            return t;
        });
        try (CorpusReader reader = new CorpusReader(inputs, options, totalBytes);
                TokenShardWriter train = new TokenShardWriter(trainPath, vocabularySize, fingerprint);
                TokenShardWriter validation = new TokenShardWriter(validationPath, vocabularySize, fingerprint)) {
            long processed = 0;
            ArrayDeque<Future<Encoded>> inFlight = new ArrayDeque<>();
            for (CorpusReader.Chunk chunk = reader.next(); chunk != null; chunk = reader.next()) {
                CorpusReader.Chunk work = chunk;
                inFlight.add(pool.submit(() -> encode(work)));
                if (inFlight.size() >= 2 * options.threads()) {
                    processed = write(await(inFlight.poll()), train, validation, processed, totalBytes, progress);
                }
            }
            while (!inFlight.isEmpty()) {
                processed = write(await(inFlight.poll()), train, validation, processed, totalBytes, progress);
            }
            train.finish();
            validation.finish();
            return new Result(trainPath, validationPath, train.tokenCount(), validation.tokenCount(), reader.documents(),
                    processed);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Tokenizes one chunk's pieces into the two streams; a finished document gets the separator. */
    private Encoded encode(CorpusReader.Chunk chunk) {
        int separator = options.separateDocuments() ? tokenizer.vocabulary().eos() : -1;
        int[][] out = {new int[1024], new int[16]};
        int[] length = new int[2];
        for (CorpusReader.Piece piece : chunk.pieces()) {
            int s = piece.validation() ? 1 : 0;
            int[] tokens = piece.text().isEmpty() ? new int[0] : tokenizer.encode(piece.text(), false, false);
            int needed = length[s] + tokens.length + 1;
            if (needed > out[s].length) out[s] = Arrays.copyOf(out[s], Math.max(needed, 2 * out[s].length));
            System.arraycopy(tokens, 0, out[s], length[s], tokens.length);
            length[s] += tokens.length;
            if (piece.endsDocument() && separator >= 0) out[s][length[s]++] = separator;
        }
        return new Encoded(out[0], length[0], out[1], length[1], chunk.bytes());
    }

    private static long write(Encoded e, TokenShardWriter train, TokenShardWriter validation, long processed,
            long totalBytes, Progress progress) {
        train.write(e.train(), 0, e.trainLength());
        validation.write(e.validation(), 0, e.validationLength());
        long now = processed + e.bytes();
        progress.update(now, totalBytes);
        return now;
    }

    private static Encoded await(Future<Encoded> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while tokenizing", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException(e.getCause());
        }
    }

    private static long totalBytes(List<Path> inputs) {
        if (inputs.isEmpty()) throw new IllegalArgumentException("no input files");
        long total = 0;
        for (Path p : inputs) {
            try {
                total += Files.size(p);
            } catch (IOException e) {
                throw new UncheckedIOException(p + ": cannot read corpus file (" + e + ")", e);
            }
        }
        return total;
    }
}

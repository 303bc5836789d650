package ai.basalt.train.data;

import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * Batches of B windows of T + 1 consecutive tokens from a {@link TokenShard}, split into inputs and targets shifted
 * by one, as nanoGPT's {@code get_batch} makes them: {@code x = data[i : i+T]}, {@code y = data[i+1 : i+1+T]}.
 *
 * <p>Shapes: B batch, T context length; {@link Batch#inputs()} and {@link Batch#targets()} are (rows, T) row-major.
 *
 * <p>{@link #random} draws each window's start {@code i} uniformly from {@code [0, N - T)}, B of them per batch in
 * order, as {@code torch.randint(len(data) - block_size, (batch_size,))}, from a {@link SplitMix64} generator seeded
 * with the caller's seed. {@link #sequential} walks the shard for evaluation: window k starts at {@code k * T}, so
 * every token from the second on is a target exactly once up to the last whole window; the last batch may have
 * fewer than B rows. {@link #state()} captures the generator and the position, and {@link #restore(State)} puts
 * them back, so a resumed run sees the very batches it would have seen.
 *
 * <p>The loader does not own the shard; it is not thread-safe.
 */
public final class BatchLoader {
    /** How windows are chosen. */
    public enum Mode { RANDOM, SEQUENTIAL }

    /**
     * One batch.
     *
     * @param rows          windows in the batch, B except in a sequential loader's last batch
     * @param contextLength T
     * @param inputs        (rows, T) tokens {@code [i, i+T)} of each window
     * @param targets       (rows, T) tokens {@code [i+1, i+1+T)} of each window
     */
    public record Batch(int rows, int contextLength, int[] inputs, int[] targets) {}

    /**
     * Where a loader is: everything needed to continue exactly.
     *
     * @param rngState the random generator's state (random mode)
     * @param position the next window's start (sequential mode)
     * @param batches  batches served so far
     */
    public record State(Mode mode, long rngState, long position, long batches) {}

    private final TokenShard shard;
    private final Mode mode;
    /** B */
    private final int batchSize;
    /** T */
    private final int contextLength;
    private final long initialRngState;
    private final SplitMix64 random;
    private long position;
    private long batches;

    private BatchLoader(TokenShard shard, Mode mode, int batchSize, int contextLength, long seed) {
        this.shard = Objects.requireNonNull(shard, "shard");
        if (batchSize <= 0) throw new IllegalArgumentException("batch size " + batchSize + " is not positive");
        if (contextLength <= 0) throw new IllegalArgumentException("context length " + contextLength + " is not positive");
        if (shard.tokenCount() < contextLength + 1L) {
            throw new IllegalArgumentException(shard.path() + ": " + shard.tokenCount() + " tokens, too few for one "
                    + "window of " + (contextLength + 1L) + " (context length " + contextLength + " + 1)");
        }
        if ((long) batchSize * contextLength > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("batch of " + batchSize + " x " + contextLength + " tokens is too large");
        }
        this.mode = mode;
        this.batchSize = batchSize;
        this.contextLength = contextLength;
        this.initialRngState = SplitMix64.seedState(seed);
        this.random = new SplitMix64(initialRngState);
    }

    /** A loader of random windows from {@code shard}, reproducible from {@code seed}. */
    public static BatchLoader random(TokenShard shard, int batchSize, int contextLength, long seed) {
        return new BatchLoader(shard, Mode.RANDOM, batchSize, contextLength, seed);
    }

    /** A loader that walks {@code shard} once, window after window, for evaluation. */
    public static BatchLoader sequential(TokenShard shard, int batchSize, int contextLength) {
        return new BatchLoader(shard, Mode.SEQUENTIAL, batchSize, contextLength, 0);
    }

    public Mode mode() {
        return mode;
    }

    public int batchSize() {
        return batchSize;
    }

    public int contextLength() {
        return contextLength;
    }

    /** Whether {@link #next()} has a batch: always in random mode; while a whole window is left in sequential. */
    public boolean hasNext() {
        return mode == Mode.RANDOM || position + contextLength + 1 <= shard.tokenCount();
    }

    /** Batches a full sequential pass yields. */
    public long sequentialBatches() {
        long windows = (shard.tokenCount() - 1) / contextLength;
        return (windows + batchSize - 1) / batchSize;
    }

    /**
     * The next batch.
     *
     * @throws NoSuchElementException if a sequential loader has passed its last window
     */
    public Batch next() {
        if (!hasNext()) throw new NoSuchElementException(shard.path() + ": the sequential pass is complete");
        int rows = batchSize;
        if (mode == Mode.SEQUENTIAL) {
            rows = (int) Math.min(batchSize, (shard.tokenCount() - 1 - position) / contextLength);
        }
        int[] window = new int[contextLength + 1];
        int[] inputs = new int[rows * contextLength];
        int[] targets = new int[rows * contextLength];
        for (int b = 0; b < rows; b++) {
            long start;
            if (mode == Mode.RANDOM) {
                start = random.nextLong(shard.tokenCount() - contextLength);
            } else {
                start = position;
                position += contextLength;
            }
            shard.read(start, window, 0, contextLength + 1);
            System.arraycopy(window, 0, inputs, b * contextLength, contextLength);
            System.arraycopy(window, 1, targets, b * contextLength, contextLength);
        }
        batches++;
        return new Batch(rows, contextLength, inputs, targets);
    }

    /** Batches served since creation, the last {@link #reset()} or as restored. */
    public long batches() {
        return batches;
    }

    /** Back to the start: the first window (sequential) or the seed's first draw (random). */
    public void reset() {
        restore(new State(mode, initialRngState, 0, 0));
    }

    public State state() {
        return new State(mode, random.state(), position, batches);
    }

    /**
     * Continues from {@code state}, taken from a loader of the same mode over the same shard.
     *
     * @throws IllegalArgumentException if the mode differs or the position is outside the shard
     */
    public void restore(State state) {
        if (state.mode() != mode) throw new IllegalArgumentException("state of a " + state.mode() + " loader, " + mode + " expected");
        if (state.position() < 0 || state.position() > shard.tokenCount() || state.batches() < 0) {
            throw new IllegalArgumentException("state position " + state.position() + " is outside " + shard.path()
                    + " (" + shard.tokenCount() + " tokens)");
        }
        random.setState(state.rngState());
        position = state.position();
        batches = state.batches();
    }
}

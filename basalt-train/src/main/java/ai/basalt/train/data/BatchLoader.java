package ai.basalt.train.data;

import ai.basalt.nn.TorchGenerator;
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
 * with the caller's seed; {@link #torch} draws them from PyTorch's generator itself, shared with the model's
 * initialisation and the run's other loaders, so the windows are the ones nanoGPT's {@code get_batch} picks after
 * {@code torch.manual_seed}. {@link #sequential} walks the shard for evaluation: window k starts at {@code k * T}, so
 * every token from the second on is a target exactly once up to the last whole window; the last batch may have
 * fewer than B rows. {@link #state()} captures the generator (a torch-mode loader: the shared generator's draw
 * count, replayed on restore) and the position, and {@link #restore(State)} puts
 * them back, so a resumed run sees the very batches it would have seen.
 *
 * <p>The loader does not own the shard; it is not thread-safe.
 */
public final class BatchLoader {
    /**
     * How windows are chosen: RANDOM from the loader's own generator, SEQUENTIAL in order, TORCH from a
     * {@link TorchGenerator} shared with the model's initialisation and the other loaders of the run.
     */
    public enum Mode { RANDOM, SEQUENTIAL, TORCH }

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
     * @param rngState the random generator's state (random mode); in torch mode, the shared generator's draw count
     *     (for a prefetching loader, the count before its pending batch was drawn)
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
    /** Torch mode: the run's shared generator. */
    private final TorchGenerator torch;
    /** Torch mode: whether the next batch is drawn as soon as one is handed out, as nanoGPT's loop does. */
    private final boolean prefetch;
    private Batch pending;
    private long drawsBeforePending;
    private long position;
    private long batches;

    private BatchLoader(TokenShard shard, Mode mode, int batchSize, int contextLength, long seed, TorchGenerator torch,
            boolean prefetch) {
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
        this.torch = torch;
        this.prefetch = prefetch;
        if (prefetch) drawPending();
    }

    /** A loader of random windows from {@code shard}, reproducible from {@code seed}. */
    public static BatchLoader random(TokenShard shard, int batchSize, int contextLength, long seed) {
        return new BatchLoader(shard, Mode.RANDOM, batchSize, contextLength, seed, null, false);
    }

    /**
     * A loader of random windows drawn from PyTorch's generator {@code generator}, one {@code torch.randint} per
     * window as nanoGPT's {@code get_batch}. With {@code prefetch} the first batch is drawn now and each
     * {@link #next()} draws the one after it before returning, which is where nanoGPT's loop draws (between a step's
     * forward and backward pass, so before the next evaluation's batches).
     */
    public static BatchLoader torch(TokenShard shard, int batchSize, int contextLength, TorchGenerator generator,
            boolean prefetch) {
        return new BatchLoader(shard, Mode.TORCH, batchSize, contextLength, 0, Objects.requireNonNull(generator,
                "generator"), prefetch);
    }

    /** A loader that walks {@code shard} once, window after window, for evaluation. */
    public static BatchLoader sequential(TokenShard shard, int batchSize, int contextLength) {
        return new BatchLoader(shard, Mode.SEQUENTIAL, batchSize, contextLength, 0, null, false);
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
        return mode != Mode.SEQUENTIAL || position + contextLength + 1 <= shard.tokenCount();
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
        Batch b = prefetch ? pending : draw();
        if (prefetch) drawPending();
        batches++;
        return b;
    }

    private void drawPending() {
        drawsBeforePending = torch.draws();
        pending = draw();
    }

    private Batch draw() {
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
            } else if (mode == Mode.TORCH) {
                start = torch.randint(shard.tokenCount() - contextLength);
            } else {
                start = position;
                position += contextLength;
            }
            shard.read(start, window, 0, contextLength + 1);
            System.arraycopy(window, 0, inputs, b * contextLength, contextLength);
            System.arraycopy(window, 1, targets, b * contextLength, contextLength);
        }
        return new Batch(rows, contextLength, inputs, targets);
    }

    /** Batches served since creation, the last {@link #reset()} or as restored. */
    public long batches() {
        return batches;
    }

    /**
     * Back to the start: the first window (sequential) or the seed's first draw (random).
     *
     * @throws IllegalStateException in torch mode, whose generator is shared with others
     */
    public void reset() {
        if (mode == Mode.TORCH) throw new IllegalStateException("a torch-mode loader shares its generator: no reset");
        restore(new State(mode, initialRngState, 0, 0));
    }

    public State state() {
        if (mode == Mode.TORCH) return new State(mode, prefetch ? drawsBeforePending : torch.draws(), 0, batches);
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
        if (mode == Mode.TORCH) {
            if (state.rngState() < 0) throw new IllegalArgumentException("draw count " + state.rngState() + " is negative");
            torch.seek(state.rngState());
            if (prefetch) drawPending();
        } else {
            random.setState(state.rngState());
        }
        position = state.position();
        batches = state.batches();
    }
}

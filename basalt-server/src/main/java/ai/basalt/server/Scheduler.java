package ai.basalt.server;

import ai.basalt.generate.GenerationResult;
import ai.basalt.generate.SequenceGenerator;
import ai.basalt.generate.TokenListener;
import ai.basalt.generate.TokenLogprob;
import ai.basalt.model.InferenceState;
import ai.basalt.model.LanguageModel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;

/**
 * The one thread that runs a model, with continuous batching: it owns the model's KV caches, takes jobs from a
 * bounded queue as room frees up (at most {@code maxBatch} at once), and advances every running sequence by one token
 * per step through {@link LanguageModel#forwardBatch}, which reads each weight once for all of them. A sequence
 * that ends leaves at once and a waiting job joins at the next step. Each sequence samples, streams and stops as
 * {@link SequenceGenerator} does alone, and the model's batched step is bit-identical per sequence, so a request
 * gets the same reply whatever it shares a step with.
 *
 * <p>Prefix reuse: prompts are evaluated in chunks of {@value #PREFIX_CHUNK} positions aligned to position 0
 * ({@link SequenceGenerator#prefill(int[], int)}), and a finished sequence's cache is kept with its prompt. A new
 * prompt that begins with the same whole chunks as a kept one takes that cache and evaluates only the rest; since
 * a chunk's cache values depend only on its tokens and the cache before it, the reply is bit for bit the one the
 * prompt gets on a fresh cache.
 *
 * <p>Chunked prefill: jobs are taken as room frees up (every waiting one that fits, not one a step), and their
 * prompts are evaluated {@value #PREFILL_BUDGET} positions a step at most, whole chunks at a time, between the
 * running sequences' decode steps ({@link SequenceGenerator#nextPiece}): requests that arrive together start
 * together and then share every step, and a long prompt holds the streams already running up by a bounded amount
 * per token instead of all at once. The pieces of the prompts under way go through one
 * {@link LanguageModel#prefillBatch} a round, so that eight prompts read the weights once, not eight times, and each
 * still gets the bits it gets alone.
 *
 * <p>A full queue refuses new jobs at once (429) rather than letting them pile up; a job whose client has gone is
 * dropped at the next step.
 */
public final class Scheduler implements AutoCloseable {
    private final LanguageModel model;
    private final int contextLength;
    private final int maxBatch;
    private final int prefillBudget;
    private final BlockingQueue<Job> queue;
    private final Thread thread;
    /** Positions per prefill chunk, the unit of prefix reuse. */
    public static final int PREFIX_CHUNK = 64;
    /**
     * Prompt positions evaluated per step at most (whole chunks; at least one chunk): what a step may add to the
     * running sequences' time between tokens.
     */
    public static final int PREFILL_BUDGET = 4 * PREFIX_CHUNK;

    /**
     * A finished sequence's cache and the prompt evaluated into it (null: nothing reusable), most recently freed
     * first. A new sequence overwrites positions from where it starts; attention reads only those before it.
     */
    private record Free(InferenceState state, int[] prompt) {}

    private final ArrayDeque<Free> freeStates = new ArrayDeque<>();
    private final ServerMetrics metrics;
    private final String name;
    private final List<Running> running = new ArrayList<>();
    /** Sequences whose prompts are being evaluated, first come first served. */
    private final List<Running> prefilling = new ArrayList<>();
    private volatile int runningCount;
    /** Jobs submitted and not yet answered (waiting, prefilling or running). */
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    private volatile int peakRunning;
    private volatile boolean closed;

    /** A sequence being generated: its job, cache, generator and the token to run next. */
    private static final class Running {
        final Job job;
        final InferenceState state;
        final SequenceGenerator generator;
        int next;

        Running(Job job, InferenceState state, SequenceGenerator generator, int next) {
            this.job = job;
            this.state = state;
            this.generator = generator;
            this.next = next;
        }
    }

    public Scheduler(String name, LanguageModel model, int contextLength, int capacity, int maxBatch) {
        this(name, model, contextLength, capacity, maxBatch, null);
    }

    /** As {@link #Scheduler(String, LanguageModel, int, int, int)}, counting reused prompt tokens in {@code metrics}. */
    public Scheduler(String name, LanguageModel model, int contextLength, int capacity, int maxBatch, ServerMetrics metrics) {
        this(name, model, contextLength, capacity, maxBatch, metrics, PREFILL_BUDGET);
    }

    /** As above, evaluating at most {@code prefillBudget} prompt positions a step (whole chunks; at least one). */
    Scheduler(String name, LanguageModel model, int contextLength, int capacity, int maxBatch, ServerMetrics metrics,
            int prefillBudget) {
        if (maxBatch < 1) throw new IllegalArgumentException("batch size " + maxBatch + " must be positive");
        if (prefillBudget < 1) throw new IllegalArgumentException("prefill budget " + prefillBudget + " must be positive");
        this.prefillBudget = prefillBudget;
        this.name = name;
        this.metrics = metrics;
        this.model = model;
        this.contextLength = contextLength;
        this.maxBatch = maxBatch;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.thread = Thread.ofPlatform().name("basalt-scheduler-" + name).daemon().unstarted(this::loop);
        thread.start();
    }

    /** The context each job gets. */
    public int contextLength() {
        return contextLength;
    }

    /**
     * Queues {@code job}.
     *
     * @throws ApiException 429 when the queue is full, 503 when the scheduler is closed
     */
    public void submit(Job job) {
        if (closed) throw new ApiException(ApiException.Kind.UNAVAILABLE, "the model is being unloaded", null, null);
        inFlight.incrementAndGet();
        if (!queue.offer(job)) {
            inFlight.decrementAndGet();
            throw new ApiException(ApiException.Kind.TOO_MANY_REQUESTS,
                    "too many requests waiting for this model (" + queue.size() + "); retry later", null, "rate_limit_exceeded");
        }
    }

    /** Jobs waiting. */
    public int queued() {
        return queue.size();
    }

    /** Sequences being generated. */
    public int running() {
        return runningCount;
    }

    /** The most sequences that have shared one step so far. */
    public int peakRunning() {
        return peakRunning;
    }

    /** Whether no job is waiting or running (every one submitted has been answered). */
    public boolean idle() {
        return inFlight.get() == 0;
    }

    /** Ends a job with its result; the job stops counting as in flight before its client hears. */
    private void succeed(Job job, GenerationResult result) {
        inFlight.decrementAndGet();
        job.listener().onDone(result);
    }

    /** Ends a job with a failure. */
    private void fail(Job job, RuntimeException error) {
        inFlight.decrementAndGet();
        job.listener().onError(error);
    }

    private void loop() {
        while (!closed) {
            try {
                admit();
                prefill();
                if (!running.isEmpty()) step();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException | Error e) {
                // whatever went wrong (out of memory for a cache, a bug), the jobs hear of it and the thread lives on
                ApiException failure = new ApiException(ApiException.Kind.INTERNAL, "internal error: " + e, null, null);
                for (Running r : running) fail(r.job, failure);
                for (Running r : prefilling) fail(r.job, failure);
                running.clear();
                prefilling.clear();
                runningCount = 0;
            }
        }
        for (Running r : running) fail(r.job, unloaded());
        for (Running r : prefilling) fail(r.job, unloaded());
        running.clear();
        prefilling.clear();
        for (Job job; (job = queue.poll()) != null; ) fail(job, unloaded());
        runningCount = 0;
    }

    private static ApiException unloaded() {
        return new ApiException(ApiException.Kind.UNAVAILABLE, "the model was unloaded", null, null);
    }

    /**
     * Takes waiting jobs while there is room (waiting a little for one when nothing runs or prefills), each with a cache
     * (one holding a shared prefix where there is one) and its prompt started; {@link #prefill} evaluates them.
     */
    private void admit() throws InterruptedException {
        while (running.size() + prefilling.size() < maxBatch) {
            boolean idle = running.isEmpty() && prefilling.isEmpty();
            Job job = idle ? queue.poll(100, TimeUnit.MILLISECONDS) : queue.poll();
            if (job == null) return;
            if (job.cancelled().get()) {
                fail(job, new CancellationException("the client went away"));
                continue;
            }
            InferenceState state = null;
            try {
                int[] prompt = job.prompt();
                Start start = start(prompt);
                state = start.state();
                int reused = start.reused();
                List<Integer> history = new ArrayList<>(reused);
                for (int i = 0; i < reused; i++) history.add(prompt[i]);
                if (reused > 0 && metrics != null) metrics.prefixReused(name, reused);
                SequenceGenerator generator = new SequenceGenerator(model, state, history, job.params(),
                        new TokenListener() {
                            @Override
                            public void onText(String text) {
                                job.listener().onText(text);
                            }

                            @Override
                            public void onLogprob(TokenLogprob logprob) {
                                job.listener().onLogprob(logprob);
                            }
                        }, false, job.constraint());
                generator.recordLogprobs(job.topLogprobs());
                generator.startPrompt(java.util.Arrays.copyOfRange(prompt, reused, prompt.length));
                prefilling.add(new Running(job, state, generator, -1));
            } catch (RuntimeException e) {
                if (state != null) freeStates.push(new Free(state, null));
                fail(job, e);
            } catch (Error e) {
                if (state != null) freeStates.push(new Free(state, null));
                fail(job, new ApiException(ApiException.Kind.INTERNAL, "internal error: " + e, null, null));
            }
        }
    }

    /**
     * Evaluates up to {@link #prefillBudget} positions of the started prompts in rounds: each round takes the next
     * piece of every prompt under way, oldest first, while the budget lasts, and runs them through one
     * {@link LanguageModel#prefillBatch} (each weight read once for all of them, each prompt getting the bits it gets
     * alone). A prompt that is done samples its first token and joins the running sequences (or ends there).
     */
    private void prefill() {
        int budget = prefillBudget;
        while (budget > 0) {
            prefilling.removeIf(this::dropIfCancelled);
            if (prefilling.isEmpty()) break;
            List<Running> round = new ArrayList<>();
            List<SequenceGenerator.PromptPiece> pieces = new ArrayList<>();
            for (Running r : prefilling) {
                if (budget <= 0) break;
                SequenceGenerator.PromptPiece piece = r.generator.nextPiece(PREFIX_CHUNK);
                round.add(r);
                pieces.add(piece);
                budget -= piece.tokens().length;
            }
            long begin = System.nanoTime();
            float[][] logits = round.size() > 1 ? batch(round, pieces) : null;
            long nanos = System.nanoTime() - begin;
            for (int i = 0; i < round.size(); i++) {
                Running r = round.get(i);
                SequenceGenerator.PromptPiece piece = pieces.get(i);
                try {
                    float[] out;
                    if (logits != null) {
                        out = logits[i];
                    } else {
                        long alone = System.nanoTime();
                        out = model.prefill(r.state, piece.tokens(), piece.start(), piece.last());
                        nanos = System.nanoTime() - alone;
                    }
                    float[] first = r.generator.pieceDone(piece, out, nanos);
                    if (first == null) continue;
                    prefilling.remove(r);
                    r.next = r.generator.next(first);
                    if (r.next < 0) {
                        finish(r);
                    } else {
                        running.add(r);
                    }
                } catch (RuntimeException | Error e) {
                    prefilling.remove(r);
                    freeStates.push(new Free(r.state, null));
                    fail(r.job, e instanceof RuntimeException bad ? bad
                            : new ApiException(ApiException.Kind.INTERNAL, "internal error: " + e, null, null));
                }
            }
        }
        runningCount = running.size();
    }

    /** Whether {@code r}'s client has gone; if so its cache is freed and its job ends with a cancellation. */
    private boolean dropIfCancelled(Running r) {
        if (!r.job.cancelled().get()) return false;
        freeStates.push(new Free(r.state, null));
        fail(r.job, new CancellationException("the client went away"));
        return true;
    }

    /**
     * The round's pieces through one batch, or null when the batch refused or failed: then each piece runs alone, so
     * that one bad prompt fails its own job only (a piece run again rewrites its positions with the same values).
     */
    private float[][] batch(List<Running> round, List<SequenceGenerator.PromptPiece> pieces) {
        int n = round.size();
        InferenceState[] states = new InferenceState[n];
        int[][] tokens = new int[n][];
        int[] starts = new int[n];
        boolean[] last = new boolean[n];
        for (int i = 0; i < n; i++) {
            states[i] = round.get(i).state;
            tokens[i] = pieces.get(i).tokens();
            starts[i] = pieces.get(i).start();
            last[i] = pieces.get(i).last();
        }
        try {
            return model.prefillBatch(states, tokens, starts, last);
        } catch (RuntimeException | Error e) {
            return null;
        }
    }

    /** One token for every running sequence, in one batched forward pass. */
    private void step() {
        running.removeIf(this::dropIfCancelled);
        int n = running.size();
        if (n == 0) {
            runningCount = 0;
            return;
        }
        if (n > peakRunning) peakRunning = n;
        InferenceState[] states = new InferenceState[n];
        int[] tokens = new int[n];
        int[] positions = new int[n];
        for (int i = 0; i < n; i++) {
            Running r = running.get(i);
            states[i] = r.state;
            tokens[i] = r.next;
            positions[i] = r.generator.position() - 1;
        }
        float[][] logits;
        try {
            logits = model.forwardBatch(states, tokens, positions, true);
        } catch (RuntimeException e) {
            for (Running r : running) fail(r.job, e);
            running.clear();
            runningCount = 0;
            return;
        }
        List<Running> ended = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Running r = running.get(i);
            try {
                r.next = r.generator.next(logits[i]);
                if (r.next < 0) ended.add(r);
            } catch (RuntimeException e) {
                fail(r.job, e);
                r.next = -1;
                freeStates.push(new Free(r.state, null));
            }
        }
        running.removeIf(r -> r.next < 0);
        runningCount = running.size();
        for (Running r : ended) finish(r);
    }

    private void finish(Running r) {
        freeStates.push(new Free(r.state, r.job.prompt()));
        if (freeStates.size() > maxBatch) freeStates.removeLast();
        GenerationResult result;
        try {
            result = r.generator.finish();
        } catch (RuntimeException e) {
            fail(r.job, e);
            return;
        }
        succeed(r.job, result);
    }

    /** A cache to start a sequence in and the positions of its prompt the cache already holds. */
    private record Start(InferenceState state, int reused) {}

    /**
     * The cache to start {@code prompt} in: the free one whose kept prompt shares the most whole chunks with it, else
     * the most recently freed, else a new one.
     */
    private Start start(int[] prompt) {
        Free best = freeStates.peekFirst();
        int bestReuse = 0;
        for (Free f : freeStates) {
            int r = f.prompt() == null ? 0 : reusable(f.prompt(), prompt);
            if (r > bestReuse) {
                best = f;
                bestReuse = r;
            }
        }
        if (best == null) return new Start(model.newState(contextLength), 0);
        freeStates.remove(best);
        return new Start(best.state(), bestReuse);
    }

    /**
     * Positions of {@code prompt} that a cache holding {@code kept} serves as they are: the whole chunks of their
     * common beginning, leaving at least one token of {@code prompt} to evaluate (its logits start the reply).
     */
    static int reusable(int[] kept, int[] prompt) {
        int limit = Math.min(kept.length, prompt.length - 1);
        int common = 0;
        while (common < limit && kept[common] == prompt[common]) common++;
        return common / PREFIX_CHUNK * PREFIX_CHUNK;
    }

    /** Stops taking jobs; those waiting or running end with 503. */
    @Override
    public void close() {
        closed = true;
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

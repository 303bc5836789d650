package ai.basalt.server;

import ai.basalt.generate.GenerationResult;
import ai.basalt.generate.Session;
import ai.basalt.generate.TokenListener;
import ai.basalt.model.LanguageModel;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one thread that runs a model: it owns the model's KV caches and takes jobs from a bounded queue, so that the
 * HTTP threads only wait on results. A full queue refuses new jobs at once (429) rather than letting them pile up.
 */
public final class Scheduler implements AutoCloseable {
    private final LanguageModel model;
    private final int contextLength;
    private final BlockingQueue<Job> queue;
    private final Thread thread;
    private final AtomicInteger running = new AtomicInteger();
    private volatile boolean closed;

    public Scheduler(String name, LanguageModel model, int contextLength, int capacity) {
        this.model = model;
        this.contextLength = contextLength;
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
        if (!queue.offer(job)) {
            throw new ApiException(ApiException.Kind.TOO_MANY_REQUESTS,
                    "too many requests waiting for this model (" + queue.size() + "); retry later", null, "rate_limit_exceeded");
        }
    }

    /** Jobs waiting. */
    public int queued() {
        return queue.size();
    }

    /** Whether no job is waiting or running. */
    public boolean idle() {
        return queue.isEmpty() && running.get() == 0;
    }

    private void loop() {
        while (!closed) {
            Job job;
            try {
                job = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (job == null) continue;
            running.incrementAndGet();
            try {
                run(job);
            } finally {
                running.decrementAndGet();
            }
        }
        for (Job job; (job = queue.poll()) != null; ) {
            job.listener().onError(new ApiException(ApiException.Kind.UNAVAILABLE, "the model was unloaded", null, null));
        }
    }

    private void run(Job job) {
        if (job.cancelled().get()) {
            job.listener().onError(new CancellationException("the client went away"));
            return;
        }
        GenerationResult result;
        try {
            Session session = new Session(model, contextLength);
            result = session.generate(job.prompt(), job.params(), new TokenListener() {
                @Override
                public void onText(String text) {
                    job.listener().onText(text);
                }

                @Override
                public void onToken(int token) {
                    if (job.cancelled().get()) throw new CancellationException("the client went away");
                }
            });
        } catch (RuntimeException e) {
            job.listener().onError(e);
            return;
        }
        job.listener().onDone(result);
    }

    /** Stops taking jobs; those waiting end with 503. */
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

package ai.basalt.server;

import ai.basalt.generate.GenerationParams;
import ai.basalt.generate.GenerationResult;
import ai.basalt.generate.TokenLogprob;
import ai.basalt.generate.constrain.JsonGrammar;
import ai.basalt.generate.constrain.TokenConstraint;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A submitted job as an HTTP thread consumes it: the scheduler's thread puts events in, the request's thread takes
 * them out and writes them, and cancels the job if its client has gone.
 */
public final class JobStream implements Job.Listener {

    /** What a job produced next. */
    public sealed interface Event {
        record Text(String piece) implements Event {}

        record Logprob(TokenLogprob logprob) implements Event {}

        record Done(GenerationResult result) implements Event {}

        record Failed(RuntimeException error) implements Event {}
    }

    private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final Job job;
    private final int promptTokens;
    private final ServedModel model;
    private final long submitted = System.nanoTime();
    private boolean firstText = true;
    /** What {@link #await} saw of {@link Event.Logprob}, in order. */
    private final List<TokenLogprob> awaitedLogprobs = new ArrayList<>();

    private JobStream(ServedModel model, int[] prompt, GenerationParams params, TokenConstraint constraint, int topLogprobs) {
        this.model = model;
        this.job = new Job(prompt, params, this, constraint, new java.util.concurrent.atomic.AtomicBoolean(), topLogprobs);
        this.promptTokens = prompt.length;
    }

    /**
     * Queues a generation of at most {@code maxTokens} tokens (null: until the context is full) after {@code prompt}.
     *
     * @throws ApiException 400 when the prompt does not fit the context, 429 when the model's queue is full
     */
    public static JobStream start(ServedModel model, int[] prompt, GenerationParams params, Integer maxTokens) {
        return start(model, prompt, params, maxTokens, null);
    }

    /** As {@link #start(ServedModel, int[], GenerationParams, Integer)}, the output held to {@code grammar} (null: free). */
    public static JobStream start(ServedModel model, int[] prompt, GenerationParams params, Integer maxTokens, JsonGrammar grammar) {
        return start(model, prompt, params, maxTokens, grammar, -1);
    }

    /**
     * As {@link #start(ServedModel, int[], GenerationParams, Integer, JsonGrammar)}, with each token's log-probability
     * and its {@code topLogprobs} most likely alternatives as {@link Event.Logprob} before its text (−1: none).
     */
    public static JobStream start(ServedModel model, int[] prompt, GenerationParams params, Integer maxTokens, JsonGrammar grammar,
            int topLogprobs) {
        int context = model.contextLength();
        if (prompt.length == 0) throw ApiException.badRequest("the prompt is empty");
        if (prompt.length >= context) {
            throw new ApiException(ApiException.Kind.BAD_REQUEST, "the prompt is " + prompt.length
                    + " tokens, over the context of " + context + " tokens that model '" + model.name() + "' serves",
                    "messages", "context_length_exceeded");
        }
        int room = context - prompt.length;
        int budget = maxTokens == null ? room : Math.min(maxTokens, room);
        GenerationParams p = new GenerationParams(params.sampling(), budget, params.stop(), params.stopTokens());
        JobStream s = new JobStream(model, prompt, p, grammar == null ? null : model.constraint(grammar, p), topLogprobs);
        model.scheduler().submit(s.job);
        return s;
    }

    public int promptTokens() {
        return promptTokens;
    }

    /** The next event, waiting for it. */
    public Event take() {
        try {
            return events.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancel();
            return new Event.Failed(new ApiException(ApiException.Kind.UNAVAILABLE, "interrupted", null, null));
        }
    }

    /** Ends the job at its next token (the client has gone). */
    public void cancel() {
        job.cancelled().set(true);
    }

    /** Runs the job to its end, collecting its text (and its log-probabilities: {@link #awaitedLogprobs}). */
    public GenerationResult await() {
        while (true) {
            Event e = take();
            if (e instanceof Event.Logprob l) awaitedLogprobs.add(l.logprob());
            if (e instanceof Event.Done d) return d.result();
            if (e instanceof Event.Failed f) throw f.error();
        }
    }

    @Override
    public void onText(String piece) {
        if (firstText) {
            firstText = false;
            model.metrics().firstToken(model.name(), System.nanoTime() - submitted);
        }
        events.add(new Event.Text(piece));
    }

    /** The log-probabilities {@link #await} passed, one per generated token, in order. */
    public List<TokenLogprob> awaitedLogprobs() {
        return List.copyOf(awaitedLogprobs);
    }

    @Override
    public void onLogprob(TokenLogprob logprob) {
        events.add(new Event.Logprob(logprob));
    }

    @Override
    public void onDone(GenerationResult result) {
        model.metrics().generation(model.name(), promptTokens, result.tokens().length);
        events.add(new Event.Done(result));
    }

    @Override
    public void onError(RuntimeException error) {
        events.add(new Event.Failed(error));
    }
}

package ai.basalt.generate;

import ai.basalt.generate.constrain.ConstrainedChain;
import ai.basalt.generate.constrain.TokenConstraint;
import ai.basalt.generate.sampling.SamplerChain;
import ai.basalt.model.InferenceState;
import ai.basalt.model.LanguageModel;
import ai.basalt.tokenizer.TokenDecoder;
import java.util.ArrayList;
import java.util.List;

/**
 * One generation, a token at a time, for a caller that runs the model itself: {@link Session} runs one sequence
 * through {@link LanguageModel#forward}, a server's scheduler runs many at once through
 * {@link LanguageModel#forwardBatch}. Either way a sequence samples, streams and stops exactly as here, so a
 * request served in a batch gives what it gives alone.
 *
 * <p>Use: {@link #prefill} once (or {@link #startPrompt}, then {@link #nextPiece} and {@link #pieceDone} until the
 * latter returns logits),
 * then {@code for (int t; (t = next(logits)) >= 0; ) logits = forward(t at
 * position() - 1)}, then {@link #finish}.
 */
public final class SequenceGenerator {
    private final LanguageModel model;
    private final InferenceState state;
    private final GenerationParams params;
    private final TokenListener listener;
    private final SamplerChain chain;
    /** The chain under a constraint (structured output), or null. */
    private final ConstrainedChain constrained;
    private final TokenDecoder decoder;
    private final StopStringFilter filter;
    private final int eos;
    private final StringBuilder text = new StringBuilder();
    private final List<Integer> generated = new ArrayList<>();
    private int position;
    private int promptTokens;
    private long promptNanos;
    private long generationStart;
    private StopReason reason;
    private int pendingToken = -1;
    /** The prompt under way (see {@link #startPrompt}), or null. */
    private int[] prompt;
    /** Positions of {@link #prompt} evaluated so far. */
    private int promptDone;
    /** Nanoseconds spent evaluating {@link #prompt} so far. */
    private long promptSpent;
    /** Alternatives reported per token, or −1: no log-probabilities. */
    private int topLogprobs = -1;

    /**
     * @param history    tokens already in {@code state}'s cache (the sampler's repetition window sees them)
     * @param startsText whether the text begins a document (an empty prompt), so that the tokenizer's space before
     *                   the first word is dropped
     */
    public SequenceGenerator(LanguageModel model, InferenceState state, List<Integer> history, GenerationParams params,
            TokenListener listener, boolean startsText) {
        this(model, state, history, params, listener, startsText, null);
    }

    /**
     * A generation whose tokens obey {@code constraint} (null: none): it masks the logits before each draw, and its
     * end tokens should be the ones that end this generation (EOS and {@code params.stopTokens()}).
     */
    public SequenceGenerator(LanguageModel model, InferenceState state, List<Integer> history, GenerationParams params,
            TokenListener listener, boolean startsText, TokenConstraint constraint) {
        this.model = model;
        this.state = state;
        this.params = params;
        this.listener = listener;
        this.chain = SamplerChain.of(params.sampling());
        this.constrained = constraint == null ? null : new ConstrainedChain(chain, constraint);
        for (int t : history) chain.accept(t);
        this.position = history.size();
        this.decoder = startsText ? model.tokenizer().newStreamingDecoder() : model.tokenizer().newContinuationDecoder();
        this.filter = new StopStringFilter(params.stop());
        this.eos = model.tokenizer().vocabulary().eos();
    }

    /**
     * Evaluates {@code input} after the history and returns the logits to sample the first token from.
     *
     * @throws ContextOverflowException if the input does not fit the remaining context
     */
    public float[] prefill(int[] input) {
        return prefill(input, Integer.MAX_VALUE);
    }

    /**
     * As {@link #prefill(int[])}, evaluating the input in pieces that end at multiples of {@code chunk} positions
     * (counted from position 0 of the cache, not from the input). A prompt evaluated so has in its cache, chunk for
     * chunk, the very values another prompt with the same first tokens has: the prefill of a chunk depends only on its
     * tokens and the cache before it. That is what lets a server reuse a cached prefix of whole chunks and still give
     * the bits the prompt gets alone.
     */
    public float[] prefill(int[] input, int chunk) {
        if (chunk < 1) throw new IllegalArgumentException("chunk " + chunk + " must be positive");
        startPrompt(input);
        float[] logits = null;
        while (logits == null) {
            long start = System.nanoTime();
            PromptPiece piece = nextPiece(chunk);
            float[] out = model.prefill(state, piece.tokens(), piece.start(), piece.last());
            logits = pieceDone(piece, out, System.nanoTime() - start);
        }
        return logits;
    }

    /**
     * Takes {@code input} to be evaluated after the history, a {@link #nextPiece} at a time (a server's chunked
     * prefill, interleaved with other sequences' decode steps and batched with their prompts' pieces).
     *
     * @throws ContextOverflowException if the input does not fit the remaining context
     * @throws IllegalStateException    if a prompt is already under way
     */
    public void startPrompt(int[] input) {
        if (prompt != null) throw new IllegalStateException("a prompt is already being evaluated");
        if (input.length == 0) throw new IllegalArgumentException("empty prompt: nothing to generate from");
        if (position + input.length >= state.capacity()) {
            throw new ContextOverflowException("prompt of " + input.length + " tokens does not fit the context of "
                    + state.capacity() + " tokens" + (position == 0 ? "" : " (" + position + " already used)"));
        }
        prompt = input;
        promptDone = 0;
        promptSpent = 0;
    }

    /**
     * A piece of a started prompt: its tokens, the cache position of the first, and whether it ends the prompt (its
     * logits start the reply).
     */
    public record PromptPiece(int[] tokens, int start, boolean last) {}

    /**
     * The next piece of the started prompt: up to the next multiple of {@code chunk} positions (counted from position 0
     * of the cache, as {@link #prefill(int[], int)} cuts them, so the cache gets the same values however the prompt is
     * spread over calls) or the prompt's end. The caller evaluates it, with {@code model.prefill(state, tokens,
     * start, last)} or as one piece of a {@link LanguageModel#prefillBatch}, and hands the result to
     * {@link #pieceDone}.
     *
     * @throws IllegalStateException if no prompt is under way
     */
    public PromptPiece nextPiece(int chunk) {
        if (chunk < 1) throw new IllegalArgumentException("chunk " + chunk + " must be positive");
        if (prompt == null) throw new IllegalStateException("no prompt under way");
        int at = position + promptDone;
        int to = (int) Math.min(prompt.length, (long) (at / chunk + 1) * chunk - position);
        int[] tokens = promptDone == 0 && to == prompt.length ? prompt : java.util.Arrays.copyOfRange(prompt, promptDone, to);
        return new PromptPiece(tokens, at, to == prompt.length);
    }

    /**
     * Takes {@code piece}, the latest {@link #nextPiece}, as evaluated in {@code nanos}; {@code logits} are the model's
     * after it (used when it is the last). Returns the logits to sample the first token from when the prompt is done,
     * else null.
     *
     * @throws IllegalStateException if {@code piece} is not the prompt's next piece
     */
    public float[] pieceDone(PromptPiece piece, float[] logits, long nanos) {
        if (prompt == null || piece.start() != position + promptDone) {
            throw new IllegalStateException("piece at position " + piece.start() + " is not the prompt's next");
        }
        promptDone += piece.tokens().length;
        promptSpent += nanos;
        if (!piece.last()) return null;
        if (logits == null) throw new IllegalArgumentException("the prompt's last piece needs its logits");
        int[] input = prompt;
        for (int t : input) chain.accept(t);
        position += input.length;
        promptTokens = input.length;
        promptNanos = promptSpent;
        generationStart = System.nanoTime();
        prompt = null;
        return logits;
    }

    /**
     * Samples the next token from {@code logits} and streams its text. Returns the token for the caller to run through
     * the model at position {@link #position()} − 1 (it counts as in the cache from now on), or −1 when the
     * generation has ended (see {@link #finish}).
     */
    public int next(float[] logits) {
        float[] raw = topLogprobs >= 0 ? logits.clone() : null; // samplers may rewrite the logits in place
        int token;
        if (constrained != null) {
            token = constrained.sample(logits);
            constrained.accept(token);
        } else {
            token = chain.sample(logits);
            chain.accept(token);
        }
        boolean ends = token == eos || params.stopTokens().contains(token);
        if (raw != null && !ends) listener.onLogprob(TokenLogprob.of(raw, token, topLogprobs));
        listener.onToken(token);
        if (ends) {
            reason = StopReason.END_OF_SEQUENCE;
            return -1;
        }
        generated.add(token);
        emit(filter.push(decoder.append(token)));
        if (filter.stopped()) return end(StopReason.STOP_STRING, token);
        if (generated.size() >= params.maxTokens()) return end(StopReason.MAX_TOKENS, token);
        if (position >= state.capacity()) return end(StopReason.CONTEXT_FULL, token);
        position++;
        return token;
    }

    private int end(StopReason r, int token) {
        reason = r;
        pendingToken = token;
        return -1;
    }

    /**
     * Reports each generated token's log-probability and those of the {@code top} most likely tokens to the listener
     * ({@link TokenListener#onLogprob}); −1 turns it off.
     */
    public void recordLogprobs(int top) {
        if (top < -1) throw new IllegalArgumentException("top " + top + " must be -1 (off) or at least 0");
        this.topLogprobs = top;
    }

    /** Positions in the cache, the last token returned by {@link #next} included. */
    public int position() {
        return position;
    }

    /** Whether the generation has ended. */
    public boolean done() {
        return reason != null;
    }

    /** The last token generated but not run through the model (a reply cut by a stop, the budget or the context), or −1. */
    public int pendingToken() {
        return pendingToken;
    }

    /** Releases the text held back (a possible stop string, an incomplete character) and returns the outcome. */
    public GenerationResult finish() {
        if (reason == null) throw new IllegalStateException("the generation has not ended");
        emit(filter.push(decoder.flush()));
        emit(filter.flush());
        return new GenerationResult(generated.stream().mapToInt(Integer::intValue).toArray(), text.toString(), reason,
                promptTokens, promptNanos, System.nanoTime() - generationStart);
    }

    private void emit(String piece) {
        if (piece.isEmpty()) return;
        text.append(piece);
        listener.onText(piece);
    }
}

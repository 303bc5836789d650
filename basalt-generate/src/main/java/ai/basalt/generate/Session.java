package ai.basalt.generate;

import ai.basalt.model.InferenceState;
import ai.basalt.model.KvType;
import ai.basalt.model.LanguageModel;
import ai.basalt.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * One conversation with a model: a KV cache that grows turn by turn. Each {@link #generate} call feeds
 * new prompt tokens after everything said so far, then generates.
 */
public final class Session {
    private final LanguageModel model;
    private final InferenceState state;
    /** Tokens whose keys and values are in the cache, in order. */
    private final List<Integer> evaluated = new ArrayList<>();
    /** A token that was generated last but not yet run through the model. */
    private int pendingToken = -1;

    /** A session over a fresh state of {@code contextLength} positions, its KV cache in the model's default type. */
    public Session(LanguageModel model, int contextLength) {
        this.model = model;
        this.state = model.newState(contextLength);
    }

    /** A session whose KV cache holds keys and values in {@code kvType}. */
    public Session(LanguageModel model, int contextLength, KvType kvType) {
        this.model = model;
        this.state = model.newState(contextLength, kvType);
    }

    public LanguageModel model() {
        return model;
    }

    /** Positions in use. */
    public int position() {
        return evaluated.size() + (pendingToken >= 0 ? 1 : 0);
    }

    /** The context length of this session. */
    public int capacity() {
        return state.capacity();
    }

    /** The tokens the session holds, in order: those in the KV cache, then a pending generated one. */
    public List<Integer> tokens() {
        List<Integer> all = new ArrayList<>(evaluated);
        if (pendingToken >= 0) all.add(pendingToken);
        return List.copyOf(all);
    }

    /**
     * Forgets everything after the first {@code length} tokens of {@link #tokens()}, so that the next
     * {@link #generate} continues from there. The KV cache keeps its entries for the kept positions; the later
     * ones are overwritten as new tokens arrive (attention only reads positions before the current one). This
     * is how a chat reuses the cached prefix of a conversation it re-renders each turn.
     *
     * @throws IllegalArgumentException if {@code length} is negative or beyond {@link #position()}
     */
    public void truncate(int length) {
        if (length < 0 || length > position()) {
            throw new IllegalArgumentException("cannot truncate to " + length + " tokens: the session holds "
                    + position());
        }
        if (length <= evaluated.size()) {
            evaluated.subList(length, evaluated.size()).clear();
            pendingToken = -1;
        }
    }

    /**
     * Tokenizes a prompt the way llama.cpp does for a fresh sequence: BOS first where the vocabulary asks
     * for it (only at position 0), special-token text such as {@code <s>} recognised.
     */
    public int[] tokenize(String prompt) {
        Tokenizer t = model.tokenizer();
        boolean first = position() == 0;
        return t.encode(prompt, first, true);
    }

    /** Tokenizes {@code prompt}, then generates after it. */
    public GenerationResult generate(String prompt, GenerationParams params, TokenListener listener) {
        boolean startsText = prompt.isEmpty() && position() == 0;
        return generate(tokenize(prompt), params, listener, startsText);
    }

    /**
     * Evaluates {@code promptTokens} after what the session holds, then generates until end of sequence,
     * a stop string, the token budget or a full context.
     *
     * @throws ContextOverflowException if the prompt does not fit the remaining context
     */
    public GenerationResult generate(int[] promptTokens, GenerationParams params, TokenListener listener) {
        return generate(promptTokens, params, listener, false);
    }

    /**
     * @param startsText whether the generated text begins a document (an empty prompt), so that the
     *     space the tokenizer puts before the first word is dropped, as in decoding
     */
    private GenerationResult generate(int[] promptTokens, GenerationParams params, TokenListener listener,
            boolean startsText) {
        List<Integer> input = new ArrayList<>(promptTokens.length + 1);
        if (pendingToken >= 0) input.add(pendingToken);
        for (int t : promptTokens) input.add(t);
        if (input.isEmpty()) {
            throw new IllegalArgumentException("empty prompt: nothing to generate from");
        }
        if (evaluated.size() + input.size() >= state.capacity()) {
            throw new ContextOverflowException("prompt of " + promptTokens.length + " tokens does not fit the context of "
                    + state.capacity() + " tokens" + (evaluated.isEmpty() ? "" : " (" + evaluated.size() + " already used)"));
        }
        int[] batch = input.stream().mapToInt(Integer::intValue).toArray();
        SequenceGenerator generator = new SequenceGenerator(model, state, evaluated, params, listener, startsText);
        float[] logits = generator.prefill(batch);
        for (int t : batch) evaluated.add(t);
        pendingToken = -1;
        for (int token; (token = generator.next(logits)) >= 0; ) logits = evaluate(token, true);
        pendingToken = generator.pendingToken();
        return generator.finish();
    }

    private float[] evaluate(int token, boolean logits) {
        float[] out = model.forward(state, token, evaluated.size(), logits);
        evaluated.add(token);
        return out;
    }
}

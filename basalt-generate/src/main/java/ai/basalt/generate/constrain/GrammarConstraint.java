package ai.basalt.generate.constrain;

import java.util.Arrays;

/**
 * A {@link TokenConstraint} from a {@link JsonGrammar} over a {@link TokenVocabulary}: a token is allowed when
 * its bytes keep the document live. End tokens (the vocabulary's EOS unless given) are allowed exactly when the
 * document is complete, and once it is complete and nothing can follow (an object's closing brace), only they
 * are. After an end token nothing more is allowed.
 *
 * <p>The allowed set is found by walking the vocabulary trie alongside the automaton from the current state,
 * each trie edge one memoised automaton step; a subtree is cut at the first byte the grammar rejects. The
 * result is cached on the automaton state (which is the whole parse state, so the cache is exact): a state met
 * again, as inside a long string, costs one pass over the bit set. At most {@link #MAX_CACHED_MASKS} masks are
 * cached per constraint (V / 8 bytes each: 16 KB at V = 128k).
 */
public final class GrammarConstraint implements TokenConstraint {
    static final int MAX_CACHED_MASKS = 4096;

    private final Automaton automaton;
    private final TokenVocabulary vocabulary;
    private final int[] endTokens;
    private Automaton.State state;
    private boolean ended;
    private int cachedMasks;

    /**
     * @param endTokens the tokens that end the output (such as EOS and an end-of-turn token); none means the
     *     vocabulary's EOS
     * @throws IllegalArgumentException if no end token is given and the vocabulary has no EOS, or one is out of range
     */
    public GrammarConstraint(JsonGrammar grammar, TokenVocabulary vocabulary, int... endTokens) {
        this.automaton = new Automaton(grammar.grammar());
        this.vocabulary = vocabulary;
        if (endTokens.length == 0) {
            int eos = vocabulary.vocabulary().eos();
            if (eos < 0) throw new IllegalArgumentException("the vocabulary has no EOS token: name the end tokens");
            endTokens = new int[] {eos};
        }
        for (int t : endTokens) vocabulary.vocabulary().checkToken(t);
        this.endTokens = endTokens.clone();
        this.state = automaton.start();
    }

    @Override
    public void mask(float[] logits) {
        if (logits.length != vocabulary.size()) {
            throw new IllegalArgumentException("logits of length " + logits.length + " for a vocabulary of " + vocabulary.size());
        }
        long[] allowed = ended ? new long[words()] : allowedTokens(state);
        boolean endAllowed = !ended && state.complete;
        float[] endLogits = new float[endTokens.length];
        for (int i = 0; i < endTokens.length; i++) endLogits[i] = logits[endTokens[i]];
        boolean any = false;
        for (int w = 0; w < allowed.length; w++) {
            long bits = allowed[w];
            if (bits == -1L) {
                any = true;
                continue;
            }
            int base = w << 6;
            int end = Math.min(64, logits.length - base);
            if (bits == 0) {
                Arrays.fill(logits, base, base + end, Float.NEGATIVE_INFINITY);
                continue;
            }
            any = true;
            for (int i = 0; i < end; i++) if ((bits & (1L << i)) == 0) logits[base + i] = Float.NEGATIVE_INFINITY;
        }
        if (!any && !endAllowed) {
            throw new IllegalStateException("no token of the vocabulary can continue the document"
                    + (ended ? ": it has ended" : ""));
        }
        for (int i = 0; i < endTokens.length; i++) {
            logits[endTokens[i]] = endAllowed ? endLogits[i] : Float.NEGATIVE_INFINITY;
        }
    }

    @Override
    public boolean allows(int token) {
        vocabulary.vocabulary().checkToken(token);
        if (ended) return false;
        if (isEnd(token)) return state.complete;
        return advance(token) != automaton.dead;
    }

    @Override
    public void accept(int token) {
        if (!allows(token)) {
            throw new IllegalArgumentException("token " + token + " cannot continue the document"
                    + (ended ? " (it has ended)" : ""));
        }
        if (isEnd(token)) {
            ended = true;
            return;
        }
        state = advance(token);
    }

    @Override
    public boolean complete() {
        return state.complete;
    }

    /** Whether an end token has been accepted. */
    public boolean ended() {
        return ended;
    }

    private Automaton.State advance(int token) {
        byte[] bytes = vocabulary.bytesUnsafe(token);
        if (bytes == null) return automaton.dead;
        Automaton.State s = state;
        for (int i = 0; i < bytes.length && s != automaton.dead; i++) s = automaton.step(s, bytes[i] & 0xFF);
        return s;
    }

    private boolean isEnd(int token) {
        for (int t : endTokens) if (t == token) return true;
        return false;
    }

    private int words() {
        return (vocabulary.size() + 63) >>> 6;
    }

    /** The bit set of the non-end tokens whose bytes keep {@code s} live, cached on the state. */
    long[] allowedTokens(Automaton.State s) {
        if (s.mask != null) return s.mask;
        long[] bits = new long[words()];
        if (!s.isFinal()) walk(0, s, bits);
        for (int t : endTokens) bits[t >>> 6] &= ~(1L << t);
        if (cachedMasks < MAX_CACHED_MASKS) {
            s.mask = bits;
            cachedMasks++;
        }
        return bits;
    }

    /** Marks the tokens below trie node {@code node} whose remaining bytes {@code s} accepts. */
    private void walk(int node, Automaton.State s, long[] bits) {
        int[] firstChild = vocabulary.firstChild;
        int[] tokenStart = vocabulary.tokenStart;
        int[] tokens = vocabulary.tokens;
        for (int c = firstChild[node], end = firstChild[node + 1]; c < end; c++) {
            Automaton.State t = automaton.step(s, vocabulary.label[c] & 0xFF);
            if (t == automaton.dead) continue;
            for (int k = tokenStart[c], kEnd = tokenStart[c + 1]; k < kEnd; k++) {
                int id = tokens[k];
                bits[id >>> 6] |= 1L << id;
            }
            if (!t.isFinal() && firstChild[c] < firstChild[c + 1]) walk(c, t, bits);
        }
    }

    @Override
    public String toString() {
        return "GrammarConstraint[complete=" + state.complete + ", ended=" + ended + ", states=" + automaton.stateCount()
                + ", cachedMasks=" + cachedMasks + ", endTokens=" + Arrays.toString(endTokens) + "]";
    }
}

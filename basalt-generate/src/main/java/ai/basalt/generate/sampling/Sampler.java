package ai.basalt.generate.sampling;

/**
 * One stage of a sampler chain. It rewrites the candidates (filters, rescales) or, as the final stage,
 * selects a token with {@link Candidates#select(int)}.
 */
public interface Sampler {

    void apply(Candidates candidates);

    /** Observes the token that was finally accepted (for penalties and other history-aware stages). */
    default void accept(int token) {}

    /** Forgets any history. */
    default void reset() {}
}

package ai.basalt.nn;

/**
 * What a trainable parameter is, so optimizers can treat kinds differently without parsing names: weight
 * decay applies to {@link #WEIGHT} only, never to norms, biases or embeddings (as in minGPT's
 * {@code configure_optimizers}). Ids are append-only.
 */
public enum ParamKind {
    /** Not a parameter: an input, a constant or an intermediate result. */
    NONE(0),
    /** A matrix of a linear layer (out, in). */
    WEIGHT(1),
    /** A bias vector. */
    BIAS(2),
    /** A gain or shift of a normalization layer. */
    NORM(3),
    /** A lookup table (token or position embeddings), even when tied to an output projection. */
    EMBEDDING(4);

    private final int id;

    ParamKind(int id) {
        this.id = id;
    }

    /** The stable id checkpoints may store. */
    public int id() {
        return id;
    }

    /** Whether decoupled weight decay applies to parameters of this kind by default. */
    public boolean decays() {
        return this == WEIGHT;
    }
}

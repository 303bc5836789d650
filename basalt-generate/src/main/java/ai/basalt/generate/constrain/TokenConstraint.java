package ai.basalt.generate.constrain;

/**
 * A per-step restriction of which tokens may be generated, for constrained decoding: before each draw,
 * {@link #mask} sets the logits of the tokens that cannot continue a valid output to negative infinity; after
 * it, {@link #accept} advances the constraint by the chosen token. End tokens are allowed only once the output
 * is {@link #complete()}. Stateful and not thread-safe: one instance per generation.
 */
public interface TokenConstraint {

    /** Sets {@code logits[t]} to negative infinity for every token t that may not come next. */
    void mask(float[] logits);

    /** Whether {@code token} may come next. */
    boolean allows(int token);

    /**
     * Advances past {@code token}.
     *
     * @throws IllegalArgumentException if {@code token} may not come next ({@link #allows} is false)
     */
    void accept(int token);

    /** Whether the output so far is a whole document (so that an end token may follow). */
    boolean complete();
}

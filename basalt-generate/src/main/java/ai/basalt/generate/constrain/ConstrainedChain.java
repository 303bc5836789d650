package ai.basalt.generate.constrain;

import ai.basalt.generate.sampling.SamplerChain;

/**
 * A {@link SamplerChain} whose draws obey a {@link TokenConstraint}: the constraint masks a copy of the logits
 * before the chain samples them (so the model's own buffer is left as it was, as {@link SamplerChain#sample}
 * leaves it), and generated tokens advance both. Prompt tokens go to the chain only ({@link #acceptPrompt}),
 * for its penalties. Should a stage pick a masked token anyway (a draw that runs past the last nonzero
 * probability by rounding), the best allowed token is taken instead.
 */
public final class ConstrainedChain {
    private final SamplerChain chain;
    private final TokenConstraint constraint;
    private float[] masked;

    public ConstrainedChain(SamplerChain chain, TokenConstraint constraint) {
        this.chain = chain;
        this.constraint = constraint;
    }

    /** Chooses the next token among those the constraint allows ({@code logits} is not modified). */
    public int sample(float[] logits) {
        if (masked == null || masked.length != logits.length) masked = new float[logits.length];
        System.arraycopy(logits, 0, masked, 0, logits.length);
        constraint.mask(masked);
        int token = chain.sample(masked);
        if (constraint.allows(token)) return token;
        int best = -1;
        for (int i = 0; i < masked.length; i++) {
            if (masked[i] != Float.NEGATIVE_INFINITY && (best < 0 || masked[i] > masked[best])) best = i;
        }
        return best;
    }

    /** Advances the constraint and the chain past a generated token. */
    public void accept(int token) {
        constraint.accept(token);
        chain.accept(token);
    }

    /** Tells the chain about a prompt token (the constraint only sees generated ones). */
    public void acceptPrompt(int token) {
        chain.accept(token);
    }

    public TokenConstraint constraint() {
        return constraint;
    }
}

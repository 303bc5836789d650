package ai.basalt.generate.sampling;

import java.util.ArrayList;
import java.util.List;

/**
 * An ordered list of stages whose last one selects a token. {@link #of(SamplingParams)} builds
 * llama.cpp's default order: penalties → top-k → top-p → min-p → temperature → draw, or penalties →
 * greedy at temperature 0.
 */
public final class SamplerChain {
    private final List<Sampler> stages;
    private Candidates candidates;

    public SamplerChain(List<Sampler> stages) {
        if (stages.isEmpty()) throw new IllegalArgumentException("a sampler chain needs at least one stage");
        this.stages = List.copyOf(stages);
    }

    public static SamplerChain of(SamplingParams p) {
        List<Sampler> stages = new ArrayList<>();
        stages.add(Samplers.repetitionPenalty(p.repeatPenalty(), p.repeatLastN()));
        if (p.greedy()) {
            stages.add(Samplers.greedy());
        } else {
            stages.add(Samplers.topK(p.topK()));
            stages.add(Samplers.topP(p.topP()));
            stages.add(Samplers.minP(p.minP()));
            stages.add(Samplers.temperature(p.temperature()));
            stages.add(Samplers.draw(p.seed()));
        }
        return new SamplerChain(stages);
    }

    /** Chooses the next token from a vocabulary's logits (the array is not modified). */
    public int sample(float[] logits) {
        if (candidates == null || candidates.capacity() != logits.length) candidates = new Candidates(logits.length);
        candidates.reset(logits);
        for (Sampler s : stages) s.apply(candidates);
        int token = candidates.selected();
        if (token < 0) throw new IllegalStateException("the sampler chain's last stage selected no token");
        return token;
    }

    /** Tells every stage which token was accepted. */
    public void accept(int token) {
        for (Sampler s : stages) s.accept(token);
    }

    public void reset() {
        for (Sampler s : stages) s.reset();
    }
}

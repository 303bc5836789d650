package ai.basalt.model.training;

import ai.basalt.nn.Rng;

/** Builds a freshly initialised trainable model for a {@link ModelSpec}. */
public final class TrainableModels {
    private TrainableModels() {}

    /**
     * A new model of {@code spec}'s architecture with weights drawn from {@code rng} (GPT-2 / nanoGPT's
     * initialisation: normal(0, 0.02), residual projections scaled by 1/√(2·layers), norms 1, biases 0).
     */
    public static TrainableModel create(ModelSpec spec, Rng rng) {
        throw new UnsupportedOperationException("trainable " + spec.architecture() + " is not implemented yet");
    }
}

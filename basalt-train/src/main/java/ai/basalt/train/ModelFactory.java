package ai.basalt.train;

import ai.basalt.model.training.ModelSpec;
import ai.basalt.model.training.TrainableModel;
import ai.basalt.model.training.TrainableModels;
import ai.basalt.nn.Rng;

/** Builds the freshly initialized model a run trains; tests pass small models of their own. */
@FunctionalInterface
public interface ModelFactory {

    /**
     * A model of {@code spec} with weights drawn from {@code rng}. Checkpoints save the state of {@code rng} and of
     * the model's {@link TrainableModel#dropoutRng()}.
     */
    TrainableModel create(ModelSpec spec, Rng rng);

    /** The architectures of basalt-model ({@link TrainableModels#create}). */
    static ModelFactory standard() {
        return TrainableModels::create;
    }
}

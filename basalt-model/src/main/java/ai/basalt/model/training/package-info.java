/**
 * Models that learn: a {@link ai.basalt.model.training.TrainableModel} builds its forward pass on a
 * basalt-nn {@link ai.basalt.nn.Graph} so gradients flow back to its parameters, and writes itself as
 * GGUF (for Basalt's engine and llama.cpp) and as a Hugging Face folder. A
 * {@link ai.basalt.model.training.ModelSpec} is the flat description the trainer's flags and checkpoints
 * use; {@link ai.basalt.model.training.TrainableModels#create} turns it into a model of the right
 * architecture.
 *
 * <p>Extension point: a new trainable architecture implements {@code TrainableModel} in its own
 * architecture package and is added to {@code TrainableModels}.
 */
package ai.basalt.model.training;

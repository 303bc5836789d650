/**
 * Models that learn: a {@link ai.basalt.model.training.TrainableModel} builds its forward pass on a
 * basalt-nn {@link ai.basalt.nn.Graph} so gradients flow back to its parameters, and writes itself as
 * GGUF (for Basalt's engine and llama.cpp) and as a Hugging Face folder. A
 * {@link ai.basalt.model.training.ModelSpec} is the flat description the trainer's flags and checkpoints
 * use, mapped to and from the engine's config records; {@link ai.basalt.model.training.TrainableModels#create}
 * turns it into a freshly initialised model of the right architecture
 * ({@link ai.basalt.model.gpt2.Gpt2Trainable}, {@link ai.basalt.model.llama.LlamaTrainable}), and
 * {@link ai.basalt.model.training.TrainableModels#fromGguf} loads one from a GGUF file.
 *
 * <p>Parameters are named with GGUF tensor names ({@code token_embd.weight}, {@code blk.0.attn_q.weight}) and
 * tagged with their {@link ai.basalt.nn.ParamKind}: {@code EMBEDDING} for token and position tables (a tied
 * output is the token table), {@code NORM} for norm gains and shifts, {@code BIAS} for linear biases,
 * {@code WEIGHT} for matrices (an untied output included), so AdamW decays exactly the matrices.
 *
 * <p>Extension point: a new trainable architecture implements {@code TrainableModel} in its own
 * architecture package and is added to {@code TrainableModels}.
 */
package ai.basalt.model.training;

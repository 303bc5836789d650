/**
 * Language models.
 *
 * <p>{@link ai.basalt.model.Models#load(java.nio.file.Path)} opens a GGUF file and hands it to the
 * {@link ai.basalt.model.Architecture} that claims its {@code general.architecture}; architectures are
 * found through {@link java.util.ServiceLoader}, never by class name. A loaded
 * {@link ai.basalt.model.LanguageModel} runs one token at a time against a
 * {@link ai.basalt.model.InferenceState} that owns the KV cache, so one model serves many sequences.
 *
 * <p>Extension point: a new architecture is one small package that implements {@code Architecture}
 * (read hyper-parameters, load tensors, build the forward pass) and is listed in {@code module-info}
 * and {@code META-INF/services}.
 */
package ai.basalt.model;

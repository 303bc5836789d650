package ai.basalt.model;

import ai.basalt.format.gguf.GgufView;
import java.util.Set;

/**
 * A model architecture: reads its hyper-parameters and tensors from a GGUF file, or a model in another format
 * seen as one ({@link GgufView}), and builds the forward pass. Implementations are found through
 * {@link java.util.ServiceLoader}.
 */
public interface Architecture {

    /** The {@code general.architecture} values this implementation runs (e.g. {@code llama}). */
    Set<String> names();

    /**
     * Builds the model over the file's tensors. The model keeps {@code file} open (its weights are views
     * of the mapped file) and closes it when the model is closed.
     *
     * @throws ModelLoadException if hyper-parameters or tensors are missing or inconsistent
     */
    LanguageModel load(GgufView file);
}

package ai.basalt.format.gguf;

import ai.basalt.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A model seen in GGUF's terms: metadata under GGUF keys ({@link MetadataKey}) and tensors under GGUF names
 * ({@link TensorKey}) with GGML types and dimensions. A {@link GgufFile} is one; a model stored in another format
 * and presented under GGUF's names (basalt-model's Hugging Face folders) is another, so that architectures read
 * every source through one interface.
 *
 * <p>Tensor views stay valid until {@link #close()}.
 */
public interface GgufView extends AutoCloseable {

    /** The file or folder the model comes from; messages name it. */
    Path path();

    GgufMetadata metadata();

    /**
     * The tensor infos, in the order a GGUF file of this model lists them. Offsets are relative to the start of
     * the data section of that file: where the data lies for a {@link GgufFile}, where it would lie in a GGUF file
     * written from the view (tensors back to back, each aligned to 32 bytes) otherwise.
     */
    List<GgufTensorInfo> tensors();

    Optional<GgufTensorInfo> findTensor(String name);

    /**
     * Tensor {@code name} in its stored type.
     *
     * @throws RuntimeException a format exception naming the source and the tensor if there is no such tensor
     * @throws IllegalStateException if the view is closed
     */
    Tensor tensor(String name);

    /** The model architecture, {@code general.architecture} (for example {@code llama}). */
    default String architecture() {
        return metadata().getString(MetadataKey.GENERAL_ARCHITECTURE.key());
    }

    /** Releases the source; tensor views taken from it become unusable. Closing twice does nothing. */
    @Override
    void close();
}

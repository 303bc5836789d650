package ai.basalt.model.hf;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The {@code transformers} model classes Basalt reads and writes, each with its {@code model_type} and the GGUF
 * architecture llama.cpp's {@code convert_hf_to_gguf.py} gives it: Mistral is converted as {@code llama} (it is
 * Llama's layout; its sliding window is not applied, by llama.cpp or Basalt), the others under their own names.
 */
enum ModelFamily {
    LLAMA("LlamaForCausalLM", "llama", "llama", 1e-6f),
    MISTRAL("MistralForCausalLM", "mistral", "llama", 1e-6f),
    QWEN2("Qwen2ForCausalLM", "qwen2", "qwen2", 1e-6f),
    QWEN3("Qwen3ForCausalLM", "qwen3", "qwen3", 1e-6f),
    PHI3("Phi3ForCausalLM", "phi3", "phi3", 1e-5f),
    GPT2("GPT2LMHeadModel", "gpt2", "gpt2", 1e-5f);

    /** The class name in {@code config.json}'s {@code architectures}. */
    final String className;
    /** {@code config.json}'s {@code model_type}. */
    final String modelType;
    /** {@code general.architecture} of the converted GGUF. */
    final String ggufArchitecture;
    /** The normalisation epsilon of the family's {@code transformers} config class, where config.json has none. */
    final float defaultEpsilon;

    ModelFamily(String className, String modelType, String ggufArchitecture, float defaultEpsilon) {
        this.className = className;
        this.modelType = modelType;
        this.ggufArchitecture = ggufArchitecture;
        this.defaultEpsilon = defaultEpsilon;
    }

    /**
     * Whether GGUF stores the query and key rows in adjacent-pair RoPE order, permuted from Hugging Face's
     * rotate-half order: llama.cpp's {@code llama} architecture only ({@code LlamaModel.permute}); the others run
     * NEOX RoPE on the rows as they are.
     */
    boolean permutesRope() {
        return ggufArchitecture.equals("llama");
    }

    /** Whether {@code tie_word_embeddings} defaults to true, as in {@code PretrainedConfig} (GPT-2's config). */
    boolean tiedByDefault() {
        return this == GPT2;
    }

    /** The family of a {@code config.json} {@code architectures} entry. */
    static Optional<ModelFamily> ofClassName(String className) {
        return Arrays.stream(values()).filter(f -> f.className.equals(className)).findFirst();
    }

    /** The family of a {@code config.json} {@code model_type}. */
    static Optional<ModelFamily> ofModelType(String modelType) {
        return Arrays.stream(values()).filter(f -> f.modelType.equals(modelType)).findFirst();
    }

    /** The family a GGUF architecture is written back as: {@code mistral} files as Mistral, the rest by name. */
    static Optional<ModelFamily> ofGguf(String architecture) {
        return Arrays.stream(values()).filter(f -> f.modelType.equals(architecture)).findFirst();
    }

    static String classNames() {
        return Arrays.stream(values()).map(f -> f.className).collect(Collectors.joining(", "));
    }
}

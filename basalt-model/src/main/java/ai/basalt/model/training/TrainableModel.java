package ai.basalt.model.training;

import ai.basalt.nn.Graph;
import ai.basalt.nn.Var;
import ai.basalt.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.List;

/** A model whose forward pass records gradients, and that exports to the formats Basalt and others run. */
public interface TrainableModel {

    ModelSpec spec();

    /**
     * Every trainable parameter in a stable order (checkpoints store them by name in this order), each with
     * its {@link ai.basalt.nn.ParamKind} so the optimizer decays weights only.
     */
    List<Var> parameters();

    /**
     * Logits (B, T, V) of next-token prediction for token ids (B·T, row-major). Dropout applies when the
     * graph is in training mode.
     */
    Var logits(Graph g, int[] tokens, int batch, int time);

    /** Mean cross-entropy of predicting {@code targets} (B·T) from {@code inputs} (B·T). */
    default Var loss(Graph g, int[] inputs, int[] targets, int batch, int time) {
        return g.crossEntropy(logits(g, inputs, batch, time), targets, -1);
    }

    /**
     * Writes the weights and {@code tokenizer} as one GGUF file, with the tensor names and metadata keys of
     * llama.cpp, so that Basalt's engine and llama.cpp run it without conversion. Written atomically.
     */
    void writeGguf(Path file, Tokenizer tokenizer, String name);

    /**
     * Writes a Hugging Face folder ({@code config.json}, {@code model.safetensors}, {@code generation_config.json},
     * tokenizer files) loadable by {@code transformers}' {@code AutoModelForCausalLM}.
     */
    void writeHuggingFace(Path folder, Tokenizer tokenizer);
}

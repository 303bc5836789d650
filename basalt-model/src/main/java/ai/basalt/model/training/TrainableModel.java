package ai.basalt.model.training;

import ai.basalt.nn.Graph;
import ai.basalt.nn.Rng;
import ai.basalt.nn.TorchGenerator;
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
     * The parameter named {@code name} (GGUF tensor names: {@code token_embd.weight}, {@code blk.0.attn_q.weight}).
     *
     * @throws IllegalArgumentException if the model has no such parameter
     */
    default Var parameter(String name) {
        for (Var p : parameters()) {
            if (p.name().equals(name)) return p;
        }
        throw new IllegalArgumentException(spec().architecture() + " model has no parameter '" + name + "'");
    }

    /**
     * Draws every parameter again exactly as the PyTorch reference model ({@code tools/pytorch/models.py}) is
     * initialised right after {@code torch.manual_seed}: the same draws from {@code g} in the same order, including
     * the draws of the default initialisations PyTorch makes and then overwrites, so that afterwards {@code g} is
     * where PyTorch's generator would be.
     *
     * @throws UnsupportedOperationException if the architecture has no PyTorch reference initialisation
     */
    default void initializeAsPyTorch(TorchGenerator g) {
        throw new UnsupportedOperationException(spec().architecture() + " has no PyTorch reference initialisation "
                + "(only gpt2 follows nanoGPT's)");
    }

    /** The generator of dropout masks; a checkpoint saves its {@link Rng#state()} for an exact resume. */
    Rng dropoutRng();

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
     *
     * @param name {@code general.name}
     * @throws IllegalArgumentException if the tokenizer's vocabulary is not the model's (llama.cpp requires them equal)
     */
    void writeGguf(Path file, Tokenizer tokenizer, String name);

    /**
     * Writes a Hugging Face folder ({@code config.json}, {@code model.safetensors}, {@code generation_config.json},
     * tokenizer files) loadable by {@code transformers}' {@code AutoModelForCausalLM}. Tokenizer files
     * ({@code tokenizer.json}, {@code tokenizer_config.json}) are written for byte-level BPE tokenizers; other
     * tokenizers have no Hugging Face writer yet, and the folder then holds the model alone.
     *
     * @throws IllegalArgumentException if the tokenizer's vocabulary is not the model's
     */
    void writeHuggingFace(Path folder, Tokenizer tokenizer);
}

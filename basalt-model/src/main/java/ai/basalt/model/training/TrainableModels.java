package ai.basalt.model.training;

import ai.basalt.format.gguf.GgufFile;
import ai.basalt.format.gguf.GgufTensorInfo;
import ai.basalt.format.gguf.TensorKey;
import ai.basalt.model.ModelLoadException;
import ai.basalt.model.gpt2.Gpt2Config;
import ai.basalt.model.gpt2.Gpt2Trainable;
import ai.basalt.model.layers.GgufExport;
import ai.basalt.model.llama.LlamaConfig;
import ai.basalt.model.llama.LlamaTrainable;
import ai.basalt.nn.Init;
import ai.basalt.nn.Rng;
import ai.basalt.nn.Var;
import ai.basalt.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/** Builds trainable models: freshly initialised for a {@link ModelSpec}, or with the weights of a GGUF file. */
public final class TrainableModels {
    private TrainableModels() {}

    /**
     * A new model of {@code spec}'s architecture with weights drawn from {@code rng} (GPT-2 / nanoGPT's
     * initialisation: normal(0, 0.02), residual projections scaled by 1/√(2·layers), norms 1, biases 0).
     */
    public static TrainableModel create(ModelSpec spec, Rng rng) {
        return switch (spec.architecture()) {
            case "gpt2" -> new Gpt2Trainable(spec, rng);
            case "llama" -> new LlamaTrainable(spec, rng);
            default -> throw new IllegalArgumentException("architecture '" + spec.architecture() + "' cannot be trained");
        };
    }

    /**
     * A model holding the weights of a GGUF file of architecture {@code gpt2} or {@code llama} (for fine-tuning or
     * resuming from an export): the spec comes from the file's metadata, the output is tied where the file has no
     * {@code output.weight} or one identical to {@code token_embd.weight} (GPT-2 files repeat the tied embedding),
     * and every tensor (F32, F16, BF16, Q8_0 or Q4_0, dequantized) is copied into the parameter of the same name.
     *
     * @param dropout the dropout of further training
     * @throws ModelLoadException if the architecture is not trainable, or a tensor is missing or misshapen
     */
    public static TrainableModel fromGguf(Path file, float dropout) {
        try (GgufFile gguf = GgufFile.open(file)) {
            String arch = gguf.architecture();
            boolean tied = tiedOutput(gguf);
            ModelSpec spec;
            try {
                spec = switch (arch) {
                    case "gpt2" -> ModelSpec.fromConfig(Gpt2Config.fromGguf(gguf, arch), tied, dropout);
                    case "llama" -> ModelSpec.fromConfig(LlamaConfig.fromGguf(gguf, arch), tied, dropout);
                    default -> throw new ModelLoadException(file.getFileName() + ": architecture '" + arch
                            + "' cannot be trained (trainable: gpt2, llama)");
                };
            } catch (IllegalArgumentException e) {
                throw new ModelLoadException(file.getFileName() + ": " + e.getMessage(), e);
            }
            TrainableModel model = create(spec, new Rng(0));
            for (Var p : model.parameters()) {
                Tensor t = gguf.findTensor(p.name()).map(gguf::tensor).orElseThrow(() -> new ModelLoadException(
                        file.getFileName() + ": tensor " + p.name() + " is missing"));
                long[] expected = GgufExport.ggmlDims(p.shape());
                if (!Arrays.equals(t.dims(), expected)) {
                    throw new ModelLoadException(file.getFileName() + ": tensor " + p.name() + " has dims "
                            + Arrays.toString(t.dims()) + ", expected " + Arrays.toString(expected));
                }
                Init.copy(p, t.toFloatArray());
            }
            return model;
        }
    }

    /** Whether the file has no output projection of its own: none, or a copy of the token embedding. */
    private static boolean tiedOutput(GgufFile gguf) {
        Optional<GgufTensorInfo> output = gguf.findTensor(TensorKey.OUTPUT.weight());
        Optional<GgufTensorInfo> embedding = gguf.findTensor(TensorKey.TOKEN_EMBD.weight());
        if (output.isEmpty()) return true;
        if (embedding.isEmpty()) return false;
        MemorySegment a = gguf.tensor(output.get()).data();
        MemorySegment b = gguf.tensor(embedding.get()).data();
        return output.get().type() == embedding.get().type() && a.byteSize() == b.byteSize() && a.mismatch(b) < 0;
    }
}

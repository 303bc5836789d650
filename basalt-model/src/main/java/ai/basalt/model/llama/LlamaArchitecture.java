package ai.basalt.model.llama;

import ai.basalt.format.gguf.GgufView;
import ai.basalt.format.gguf.MetadataKey;
import ai.basalt.model.Architecture;
import ai.basalt.model.LanguageModel;
import ai.basalt.tensor.TensorOps;
import ai.basalt.tokenizer.GgufTokenizers;
import ai.basalt.tokenizer.Tokenizer;
import java.util.Set;

/**
 * The Llama family's three hooks: hyper-parameters, tensors, forward pass. One decoder runs {@code llama},
 * {@code mistral}, {@code qwen2}, {@code qwen3} and {@code phi3}; what differs is read into {@link LlamaConfig}.
 */
public final class LlamaArchitecture implements Architecture {

    @Override
    public Set<String> names() {
        return Set.of("llama", "mistral", "qwen2", "qwen3", "phi3");
    }

    @Override
    public LanguageModel load(GgufView file) {
        String arch = file.architecture();
        LlamaConfig config = LlamaConfig.fromGguf(file, arch);
        LlamaWeights weights = new LlamaWeights(file, config);
        Tokenizer tokenizer = GgufTokenizers.load(file.metadata(), file.path().getFileName().toString());
        String name = file.metadata().findString(MetadataKey.GENERAL_NAME.key())
                .orElse(file.path().getFileName().toString());
        return new LlamaModel(file, arch, name, config, weights, tokenizer, TensorOps.best());
    }
}

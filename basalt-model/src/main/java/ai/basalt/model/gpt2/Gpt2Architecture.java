package ai.basalt.model.gpt2;

import ai.basalt.format.gguf.GgufView;
import ai.basalt.format.gguf.MetadataKey;
import ai.basalt.model.Architecture;
import ai.basalt.model.LanguageModel;
import ai.basalt.tensor.TensorOps;
import ai.basalt.tokenizer.GgufTokenizers;
import java.util.Set;

/** The GPT-2 architecture's three hooks: hyper-parameters, tensors, forward pass. */
public final class Gpt2Architecture implements Architecture {

    @Override
    public Set<String> names() {
        return Set.of("gpt2");
    }

    @Override
    public LanguageModel load(GgufView file) {
        String arch = file.architecture();
        Gpt2Config config = Gpt2Config.fromGguf(file, arch);
        Gpt2Weights weights = new Gpt2Weights(file, config);
        String name = file.metadata().findString(MetadataKey.GENERAL_NAME.key())
                .orElse(file.path().getFileName().toString());
        return new Gpt2Model(file, arch, name, config, weights, GgufTokenizers.load(file.metadata(), file.path().getFileName().toString()), TensorOps.best());
    }
}

package ai.basalt.cli;

import ai.basalt.model.LanguageModel;
import ai.basalt.model.Models;
import picocli.CommandLine.Option;

/** The {@code --model PATH|NAME} option shared by the commands that run a model. */
final class ModelOption {

    @Option(names = {"-m", "--model"}, paramLabel = "PATH|NAME",
            description = "A GGUF model file, a Hugging Face model folder (config.json, *.safetensors, tokenizer), or "
                    + "the name of a model in the hub (see 'basalt models'); default: the "
                    + "built-in " + DefaultModel.NAME + ".")
    String model;

    /** Loads the chosen model, or the built-in one when none is named. */
    LanguageModel load(Hub hub) {
        if (model == null || model.isBlank()) return Models.load(DefaultModel.file(hub));
        return Models.load(hub.resolve(model));
    }

    /** What messages call the chosen model: the name or path given, else the built-in model's name. */
    String label() {
        return model == null || model.isBlank() ? DefaultModel.NAME : model;
    }
}

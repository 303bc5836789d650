package ai.basalt.cli;

import ai.basalt.model.LanguageModel;
import ai.basalt.model.Models;
import picocli.CommandLine.Option;

/** The {@code --model PATH|NAME} option shared by the commands that run a model. */
final class ModelOption {

    @Option(names = {"-m", "--model"}, paramLabel = "PATH|NAME",
            description = "A GGUF model file, or the name of a model in the hub (see 'basalt models').")
    String model;

    /** Loads the chosen model, or explains in one line how to get one. */
    LanguageModel load(Hub hub) {
        if (model == null || model.isBlank()) {
            throw new Main.UsageException("no model given: pass --model PATH to a GGUF file (for example the "
                    + "stories260K.gguf of the shared data folder) or a model name from 'basalt models' ("
                    + hub.modelsFolder() + ")");
        }
        return Models.load(hub.resolve(model));
    }
}

package ai.basalt.cli;

import ai.basalt.model.hf.HuggingFaceFolder;
import ai.basalt.server.HubFolder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The local model hub: a folder (default {@code ~/.basalt}, or {@code $BASALT_HOME}, or {@code --hub})
 * whose {@code models/} subfolder holds GGUF files, either directly ({@code models/NAME.gguf}) or one
 * folder per model ({@code models/NAME/*.gguf}).
 */
record Hub(Path root) {

    static Hub at(String configured) {
        if (configured != null && !configured.isBlank()) return new Hub(Path.of(configured));
        String env = System.getenv("BASALT_HOME");
        if (env != null && !env.isBlank()) return new Hub(Path.of(env));
        return new Hub(Path.of(System.getProperty("user.home"), ".basalt"));
    }

    Path modelsFolder() {
        return root.resolve("models");
    }

    /** One model in the hub. */
    record Entry(String name, Path file) {}

    /** Every GGUF model in the hub, sorted by name. */
    List<Entry> list() {
        return new HubFolder(modelsFolder()).list().stream().map(e -> new Entry(e.name(), e.file())).toList();
    }

    /**
     * The model for {@code ref}: an existing file or Hugging Face model folder as given, else a hub model of that
     * name.
     *
     * @throws Main.UsageException naming where Basalt looked when nothing matches
     */
    Path resolve(String ref) {
        Path asPath = Path.of(ref);
        if (Files.isRegularFile(asPath) || HuggingFaceFolder.isModelFolder(asPath)) return asPath;
        for (Entry e : list()) {
            if (e.name().equals(ref)) return e.file();
        }
        if (Files.isDirectory(asPath)) {
            throw new Main.UsageException(ref + ": is a folder without " + HuggingFaceFolder.CONFIG
                    + ", neither a GGUF model file nor a Hugging Face model folder");
        }
        throw new Main.UsageException(ref + ": no such model file, and no model of that name in " + modelsFolder()
                + " (see 'basalt models')");
    }
}

package ai.basalt.model;

import ai.basalt.format.gguf.GgufFile;
import ai.basalt.format.gguf.GgufView;
import ai.basalt.model.hf.HuggingFaceFolder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.TreeSet;

/** Loads model files with the architecture that claims them. */
public final class Models {
    private Models() {}

    /** The architectures on the module or class path. */
    public static List<Architecture> architectures() {
        List<Architecture> all = new ArrayList<>();
        ServiceLoader.load(Architecture.class, Models.class.getClassLoader()).forEach(all::add);
        return all;
    }

    /**
     * Opens a GGUF model file, or a Hugging Face model folder ({@link HuggingFaceFolder}), and builds its model.
     *
     * @throws ModelLoadException if the file is missing or its architecture is unknown or inconsistent
     * @throws ai.basalt.format.gguf.GgufFormatException if the file is not a well-formed GGUF file
     */
    public static LanguageModel load(Path path) {
        if (!Files.isRegularFile(path) && !Files.isDirectory(path)) {
            throw new ModelLoadException(path + ": no such model file");
        }
        GgufView file = Files.isDirectory(path) ? HuggingFaceFolder.open(path) : GgufFile.open(path);
        try {
            String arch = file.architecture();
            TreeSet<String> known = new TreeSet<>();
            for (Architecture a : architectures()) {
                if (a.names().contains(arch)) return a.load(file);
                known.addAll(a.names());
            }
            throw new ModelLoadException(path.getFileName() + ": unknown architecture '" + arch
                    + "' (Basalt runs: " + String.join(", ", known) + ")");
        } catch (RuntimeException | Error e) {
            file.close();
            throw e;
        }
    }
}

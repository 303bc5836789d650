package ai.basalt.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The models folder of the hub: GGUF files directly in it ({@code NAME.gguf}) or one folder deep
 * ({@code NAME/FILE.gguf}, named {@code NAME/FILE}).
 */
public record HubFolder(Path folder) {

    /** One model in the folder. */
    public record Entry(String name, Path file) {}

    /** Every GGUF model in the folder, sorted by name; none if the folder does not exist. */
    public List<Entry> list() {
        if (!Files.isDirectory(folder)) return List.of();
        try (Stream<Path> files = Files.walk(folder, 2)) {
            return files.filter(p -> Files.isRegularFile(p) && isGguf(p))
                    .map(p -> new Entry(nameOf(p), p))
                    .sorted((a, b) -> a.name().compareTo(b.name()))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(new IOException(folder + ": cannot list models: " + e.getMessage(), e));
        }
    }

    private static boolean isGguf(Path p) {
        return p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gguf");
    }

    private String nameOf(Path file) {
        Path rel = folder.relativize(file);
        String fileName = file.getFileName().toString();
        String stem = fileName.substring(0, fileName.length() - ".gguf".length());
        return rel.getNameCount() == 1 ? stem : rel.getName(0) + "/" + stem;
    }
}

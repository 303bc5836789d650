package ai.basalt.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The texts Basalt's tokenizers are compared with Hugging Face's on: the project's own multilingual and code set
 * ({@code multilingual-and-code.json}: sentences in 14 scripts, emoji and ZWJ sequences, combining marks, numbers,
 * whitespace runs, code in 8 languages, texts of special tokens), and slices of the JDK's own Java sources, read in
 * place from the running JDK's {@code lib/src.zip} where it has one.
 */
final class ParityTexts {
    /** Sources taken from the JDK: the first files of this folder, by name. */
    private static final String JDK_FOLDER = "java.base/java/util/";
    private static final int JDK_FILES = 25;
    private static final int JDK_FIRST_LINE = 30;
    private static final int JDK_LINES = 20;

    private ParityTexts() {}

    /** The project's set; a missing or empty resource fails. */
    static List<String> multilingualAndCode() {
        try (InputStream in = ParityTexts.class.getResourceAsStream("multilingual-and-code.json")) {
            if (in == null) throw new AssertionError("multilingual-and-code.json is missing from the test resources");
            List<String> texts = new ArrayList<>();
            for (JsonNode text : new ObjectMapper().readTree(in)) texts.add(text.textValue());
            if (texts.size() < 100) throw new AssertionError("multilingual-and-code.json has only " + texts.size() + " texts");
            return texts;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The running JDK's {@code lib/src.zip}, which not every JDK ships. */
    static Path jdkSourceZip() {
        return Path.of(System.getProperty("java.home"), "lib", "src.zip");
    }

    /**
     * {@value #JDK_LINES} lines from line {@value #JDK_FIRST_LINE} of each of the first {@value #JDK_FILES} files
     * under {@value #JDK_FOLDER} (by name), each slice one text; empty if the JDK has no {@code src.zip}.
     */
    static List<String> jdkSources() {
        Path zip = jdkSourceZip();
        if (!Files.isRegularFile(zip)) return List.of();
        try (ZipFile sources = new ZipFile(zip.toFile())) {
            List<? extends ZipEntry> files = sources.stream()
                    .filter(e -> e.getName().startsWith(JDK_FOLDER) && e.getName().endsWith(".java")
                            && e.getName().indexOf('/', JDK_FOLDER.length()) < 0)
                    .sorted(Comparator.comparing(ZipEntry::getName))
                    .limit(JDK_FILES)
                    .toList();
            List<String> texts = new ArrayList<>();
            for (ZipEntry file : files) {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(sources.getInputStream(file),
                        StandardCharsets.UTF_8))) {
                    List<String> lines = in.lines().skip(JDK_FIRST_LINE).limit(JDK_LINES).toList();
                    texts.add(String.join("\n", lines) + "\n");
                }
            }
            return texts;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package ai.basalt.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import ai.basalt.testkit.ConformanceData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * llama.cpp's tokenizer test vectors ({@code models/ggml-vocab-*.gguf.inp} and {@code .out}), read as llama.cpp's
 * {@code tests/test-tokenizer-0.cpp} reads them: the {@code .inp} file is split on {@code "\n__ggml_vocab_test__\n"}
 * (so an input keeps every newline but the one before the separator), and the {@code .out} file has one line of
 * space-separated ids per input.
 */
final class LlamaCppVectors {
    private static final String SEPARATOR = "\n__ggml_vocab_test__\n";

    record Case(int index, String input, int[] expected) {}

    private LlamaCppVectors() {}

    /**
     * Encodes every case of {@code name} as llama.cpp's test does ({@code add_special = false,
     * parse_special = false}), prints how many pass, and asserts there are {@code count} cases and all pass.
     */
    static void assertEncodesEveryCase(String name, Tokenizer tokenizer, int count) throws IOException {
        List<Case> cases = read(name);
        List<String> failures = new ArrayList<>();
        for (Case c : cases) {
            int[] actual = tokenizer.encode(c.input(), false, false);
            if (!Arrays.equals(actual, c.expected())) {
                failures.add("case " + c.index() + " " + LlamaSpmConformanceTest.quote(c.input()) + ": expected "
                        + Arrays.toString(c.expected()) + " but got " + Arrays.toString(actual));
            }
        }
        System.out.printf("%s vectors: %d/%d pass%n", name, cases.size() - failures.size(), cases.size());
        assertThat(cases).hasSize(count);
        assertThat(failures).as("failing vectors").isEmpty();
    }

    /** Asserts that the expected ids of every case of {@code name} decode to its input. */
    static void assertDecodesEveryCase(String name, Tokenizer tokenizer) throws IOException {
        List<String> failures = new ArrayList<>();
        for (Case c : read(name)) {
            String decoded = tokenizer.decode(c.expected());
            if (!decoded.equals(c.input())) {
                failures.add("case " + c.index() + " " + LlamaSpmConformanceTest.quote(c.input()) + " decoded as "
                        + LlamaSpmConformanceTest.quote(decoded));
            }
        }
        assertThat(failures).as("vectors that do not decode to their input").isEmpty();
    }

    /** The cases of {@code tokenizers/vectors/<name>.{inp,out}}; skips (or fails) if absent. */
    static List<Case> read(String name) throws IOException {
        String base = "tokenizers/vectors/" + name;
        String raw = Files.readString(ConformanceData.require(base + ".inp"), StandardCharsets.UTF_8);
        List<String> outputs = Files.readAllLines(ConformanceData.require(base + ".out"), StandardCharsets.UTF_8);
        List<String> inputs = new ArrayList<>();
        int pos = 0;
        while (pos < raw.length()) {
            int next = raw.indexOf(SEPARATOR, pos);
            if (next < 0) {
                inputs.add(raw.substring(pos));
                break;
            }
            inputs.add(raw.substring(pos, next));
            pos = next + SEPARATOR.length();
        }
        assertThat(inputs).as("inputs vs output lines").hasSameSizeAs(outputs);
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            String line = outputs.get(i).strip();
            int[] ids = line.isEmpty() ? new int[0]
                    : Arrays.stream(line.split(" ")).mapToInt(Integer::parseInt).toArray();
            cases.add(new Case(i, inputs.get(i), ids));
        }
        return cases;
    }
}

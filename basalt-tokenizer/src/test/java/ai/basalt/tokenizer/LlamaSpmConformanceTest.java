package ai.basalt.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import ai.basalt.testkit.ConformanceData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * llama.cpp's tokenizer test vectors for the Llama SPM vocabulary ({@code models/ggml-vocab-llama-spm.gguf.inp}
 * and {@code .out}), run as llama.cpp's {@code tests/test-tokenizer-0.cpp} runs them: the {@code .inp} file
 * is split on {@code "\n__ggml_vocab_test__\n"} (so an input keeps every newline but the one before the
 * separator), the {@code .out} file has one line of space-separated ids per input, and each input is
 * encoded with {@code add_special = false, parse_special = false}.
 */
class LlamaSpmConformanceTest {
    private static final String VECTORS = "tokenizers/vectors/ggml-vocab-llama-spm.gguf";
    private static final String SEPARATOR = "\n__ggml_vocab_test__\n";

    record Case(int index, String input, int[] expected) {}

    @Test
    void encodesEveryVectorLikeLlamaCpp() throws IOException {
        Tokenizer tokenizer = LlamaVocabulary.tokenizer();
        List<Case> cases = readCases();
        List<String> failures = new ArrayList<>();
        for (Case c : cases) {
            int[] actual = tokenizer.encode(c.input(), false, false);
            if (!Arrays.equals(actual, c.expected())) {
                failures.add("case " + c.index() + " " + quote(c.input()) + ": expected "
                        + Arrays.toString(c.expected()) + " but got " + Arrays.toString(actual));
            }
        }
        System.out.printf("llama-spm vectors: %d/%d pass%n", cases.size() - failures.size(), cases.size());
        assertThat(cases).hasSize(46);
        assertThat(failures).as("failing vectors").isEmpty();
    }

    @Test
    void decodesEveryVectorBackToItsInput() throws IOException {
        Tokenizer tokenizer = LlamaVocabulary.tokenizer();
        List<String> failures = new ArrayList<>();
        for (Case c : readCases()) {
            String decoded = tokenizer.decode(c.expected());
            if (!decoded.equals(c.input())) {
                failures.add("case " + c.index() + " " + quote(c.input()) + " decoded as " + quote(decoded));
            }
        }
        assertThat(failures).as("vectors that do not decode to their input").isEmpty();
    }

    static List<Case> readCases() throws IOException {
        String raw = Files.readString(ConformanceData.require(VECTORS + ".inp"), StandardCharsets.UTF_8);
        List<String> outputs = Files.readAllLines(ConformanceData.require(VECTORS + ".out"), StandardCharsets.UTF_8);
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

    static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        s.codePoints().forEach(cp -> {
            if (cp < 0x20 || cp == 0x7F) {
                out.append(String.format("\\x%02x", cp));
            } else {
                out.appendCodePoint(cp);
            }
        });
        return out.append('"').toString();
    }
}

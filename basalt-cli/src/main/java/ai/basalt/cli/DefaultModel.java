package ai.basalt.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The model Basalt runs when none is named: {@code basalt-mini}, a small Llama trained by Basalt itself on
 * public-domain prose (models/basalt-mini/MODEL_CARD.md in the source tree). It travels inside the jar; the
 * first use copies it to {@code HUB/cache/basalt-mini-SHA.gguf}, checking its SHA-256 on the way, so that the
 * engine can memory-map a plain file. The copy is written to a temporary file and moved into place, so an
 * interrupted first run leaves nothing half-written behind, and a changed model gets a new name; a copy of the wrong
 * size (damaged since) is replaced.
 */
final class DefaultModel {
    static final String NAME = "basalt-mini";
    private static final String RESOURCE = "/ai/basalt/cli/default/" + NAME + ".gguf";
    private static final String DIGEST_RESOURCE = RESOURCE + ".sha256";

    private DefaultModel() {}

    /** The built-in model as a file in {@code hub}'s cache, extracted on first use. */
    static Path file(Hub hub) {
        String sha = expectedSha256();
        Path cache = hub.root().resolve("cache");
        Path target = cache.resolve(NAME + "-" + sha.substring(0, 16) + ".gguf");
        if (Files.isRegularFile(target) && sizeOf(target) == resourceSize()) return target; // else damaged: copy again
        try {
            Files.createDirectories(cache);
            Path tmp = Files.createTempFile(cache, NAME + "-", ".gguf.part");
            try {
                String actual;
                try (InputStream raw = open(RESOURCE);
                        DigestInputStream in = new DigestInputStream(raw, sha256());
                        OutputStream out = Files.newOutputStream(tmp)) {
                    in.transferTo(out);
                    actual = HexFormat.of().formatHex(in.getMessageDigest().digest());
                }
                if (!actual.equals(sha)) {
                    throw new IllegalStateException("the built-in model " + RESOURCE + " is damaged: SHA-256 " + actual
                            + ", expected " + sha + "; rebuild Basalt");
                }
                move(tmp, target);
            } finally {
                Files.deleteIfExists(tmp);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(new IOException(cache + ": cannot store the built-in model " + NAME + ": "
                    + e.getMessage(), e));
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1;
        }
    }

    /** The built-in model's size in bytes, or -2 when it cannot be told without reading it all. */
    private static long resourceSize() {
        try {
            var url = DefaultModel.class.getResource(RESOURCE);
            return url == null ? -2 : url.openConnection().getContentLengthLong();
        } catch (IOException e) {
            return -2;
        }
    }

    /** Whether this build carries the built-in model. */
    static boolean present() {
        return DefaultModel.class.getResource(RESOURCE) != null && DefaultModel.class.getResource(DIGEST_RESOURCE) != null;
    }

    private static String expectedSha256() {
        try (InputStream in = open(DIGEST_RESOURCE)) {
            String text = new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
            String sha = text.split("\\s+")[0].toLowerCase(java.util.Locale.ROOT);
            if (!sha.matches("[0-9a-f]{64}")) {
                throw new IllegalStateException(DIGEST_RESOURCE + ": not a SHA-256 digest: '" + text + "'");
            }
            return sha;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream open(String resource) {
        InputStream in = DefaultModel.class.getResourceAsStream(resource);
        if (in == null) {
            throw new Main.UsageException("no model given, and this build of Basalt has no built-in model (" + resource
                    + "): pass --model PATH to a GGUF file or a model name from 'basalt models'");
        }
        return in;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}

package ai.basalt.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Files that are replaced whole or not at all, so a crash (even {@code kill -9} or a power cut) leaves either the
 * old file or the new one: write a temporary file beside the target, force it to disk, move it over the target
 * atomically, then force the folder so the rename itself is durable.
 */
final class AtomicFiles {
    private AtomicFiles() {}

    /** Something that fills a freshly created file through its channel. */
    @FunctionalInterface
    interface Body {
        void write(FileChannel channel) throws IOException;
    }

    /** Replaces {@code target} with {@code bytes}. */
    static void write(Path target, byte[] bytes) {
        write(target, channel -> {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) channel.write(buffer);
        });
    }

    /**
     * Replaces {@code target} with what {@code body} writes.
     *
     * @throws UncheckedIOException naming the target if anything fails; the target is then left as it was
     */
    static void write(Path target, Body body) {
        Path absolute = target.toAbsolutePath();
        Path temp = temporarySibling(absolute);
        try {
            Files.createDirectories(absolute.getParent());
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                body.write(channel);
                channel.force(true);
            }
            try {
                Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
            forceFolder(absolute.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(target + ": cannot write (" + e + ")", e);
        } finally {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // best effort: the temporary name is never read
            }
        }
    }

    /**
     * Deletes the temporary files a killed process left beside {@code targets} (their {@code .NAME.*.tmp} names are
     * never read, but they take space: a checkpoint's is as large as the checkpoint).
     */
    static void deleteLeftovers(Path folder, String... targets) {
        for (String name : targets) {
            try (var stale = Files.newDirectoryStream(folder, "." + name + ".*.tmp")) {
                for (Path p : stale) Files.deleteIfExists(p);
            } catch (IOException e) {
                // best effort, as the names say what they are
            }
        }
    }

    /** A fresh hidden name beside {@code target}: {@code .NAME.RANDOM.tmp}. */
    static Path temporarySibling(Path target) {
        return target.resolveSibling("." + target.getFileName() + "." + Long.toHexString(
                ThreadLocalRandom.current().nextLong()) + ".tmp");
    }

    /** Makes a rename in {@code folder} durable where the platform allows opening folders (Linux, macOS). */
    private static void forceFolder(Path folder) {
        try (FileChannel dir = FileChannel.open(folder, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Windows cannot open a folder as a channel; its rename is already durable enough for NTFS.
        }
    }
}

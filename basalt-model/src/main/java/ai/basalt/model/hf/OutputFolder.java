package ai.basalt.model.hf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * A folder built as a hidden sibling of its target and moved into place by {@link #commit()}, so that the target
 * is never half-written: until then it is absent or as it was, and {@link #close()} without a commit deletes what
 * was built. A folder already at the target is moved aside first and deleted once the new one is in place.
 */
final class OutputFolder implements AutoCloseable {
    private final Path target;
    private final Path building;
    private boolean committed;

    private OutputFolder(Path target, Path building) {
        this.target = target;
        this.building = building;
    }

    static OutputFolder create(Path target) {
        Path absolute = target.toAbsolutePath();
        Path building = sibling(absolute, "tmp");
        try {
            Files.createDirectories(absolute.getParent());
            Files.createDirectory(building);
        } catch (IOException e) {
            throw new UncheckedIOException(target + ": cannot create the output folder (" + e + ")", e);
        }
        return new OutputFolder(absolute, building);
    }

    /** Where to write the folder's files. */
    Path path() {
        return building;
    }

    /** Moves the built folder to the target, replacing what is there. */
    void commit() {
        Path old = Files.exists(target, LinkOption.NOFOLLOW_LINKS) ? sibling(target, "old") : null;
        try {
            if (old != null) move(target, old);
            try {
                move(building, target);
            } catch (IOException e) {
                if (old != null) move(old, target);
                throw e;
            }
            committed = true;
        } catch (IOException e) {
            throw new UncheckedIOException(target + ": cannot move the converted model into place (" + e + ")", e);
        }
        if (old != null) deleteTree(old);
    }

    @Override
    public void close() {
        if (!committed) deleteTree(building);
    }

    private static Path sibling(Path target, String suffix) {
        return target.resolveSibling("." + target.getFileName() + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong()) + "." + suffix);
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    /** Deletes {@code root} and everything under it, best effort. */
    private static void deleteTree(Path root) {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> all = Files.walk(root)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // Best effort: what is left has a hidden name.
                }
            });
        } catch (IOException ignored) {
            // Best effort, as above.
        }
    }
}

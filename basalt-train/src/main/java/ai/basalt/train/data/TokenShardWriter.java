package ai.basalt.train.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.CRC32C;

/**
 * Writes a {@link TokenShard} as tokens stream in, so a shard may be larger than memory: tokens go to a temporary
 * file beside the target; {@link #finish()} writes the header (count and checksum known only then) and moves the
 * file into place atomically. {@link #close()} without {@code finish()} deletes the temporary file, so a failed
 * run leaves nothing under the target's name.
 */
public final class TokenShardWriter implements AutoCloseable {
    private static final int BUFFER_BYTES = 1 << 20;

    private final Path target;
    private final Path temp;
    private final FileChannel channel;
    private final int vocabularySize;
    private final int width;
    private final byte[] fingerprint;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    private final CRC32C crc = new CRC32C();
    private long tokenCount;
    private boolean done;

    /**
     * Starts a shard at {@code target} for tokens below {@code vocabularySize}.
     *
     * @param fingerprint the tokenizer's {@link TokenizerFingerprint}, 32 bytes
     * @throws UncheckedIOException naming the target if the temporary file cannot be created
     */
    public TokenShardWriter(Path target, int vocabularySize, byte[] fingerprint) {
        this.target = target.toAbsolutePath();
        if (vocabularySize <= 0) throw new IllegalArgumentException("vocabulary size " + vocabularySize + " is not positive");
        if (fingerprint.length != TokenizerFingerprint.BYTES) {
            throw new IllegalArgumentException("fingerprint of " + fingerprint.length + " bytes, "
                    + TokenizerFingerprint.BYTES + " expected");
        }
        this.vocabularySize = vocabularySize;
        this.width = TokenShard.tokenWidth(vocabularySize);
        this.fingerprint = fingerprint.clone();
        this.temp = this.target.resolveSibling("." + this.target.getFileName() + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        try {
            channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            channel.position(TokenShard.HEADER_BYTES);
        } catch (IOException e) {
            throw new UncheckedIOException(target + ": cannot create token shard (" + e + ")", e);
        }
    }

    /**
     * Appends {@code tokens[offset, offset + length)}.
     *
     * @throws IllegalArgumentException if a token is negative or not below the vocabulary size
     */
    public void write(int[] tokens, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, tokens.length);
        if (done) throw new IllegalStateException(target + ": the token shard is already finished or closed");
        for (int i = offset; i < offset + length; i++) {
            if (tokens[i] < 0 || tokens[i] >= vocabularySize) {
                throw new IllegalArgumentException("token " + tokens[i] + " is outside the vocabulary of "
                        + vocabularySize + " tokens (writing " + target + ")");
            }
        }
        for (int i = offset; i < offset + length; i++) {
            if (buffer.remaining() < width) flush();
            if (width == 2) buffer.putShort((short) tokens[i]);
            else buffer.putInt(tokens[i]);
        }
        tokenCount += length;
    }

    public void write(int[] tokens) {
        write(tokens, 0, tokens.length);
    }

    /** Tokens written so far. */
    public long tokenCount() {
        return tokenCount;
    }

    /**
     * Writes the header, forces the file to disk and moves it to the target, replacing any file there.
     *
     * @throws UncheckedIOException naming the target if writing fails; the target is then left as it was
     */
    public void finish() {
        if (done) throw new IllegalStateException(target + ": the token shard is already finished or closed");
        try {
            flush();
            ByteBuffer header = ByteBuffer.allocate(TokenShard.HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN)
                    .put(TokenShard.MAGIC).putInt(TokenShard.VERSION).putInt(width).putInt(vocabularySize)
                    .putInt((int) crc.getValue()).putLong(tokenCount).put(fingerprint).flip();
            for (long at = 0; header.hasRemaining(); ) at += channel.write(header, at);
            channel.force(true);
            channel.close();
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(target + ": cannot write token shard (" + e + ")", e);
        } finally {
            close();
        }
    }

    /** Abandons an unfinished shard, deleting its temporary file; after {@link #finish()} does nothing. */
    @Override
    public void close() {
        done = true;
        try {
            channel.close();
            Files.deleteIfExists(temp);
        } catch (IOException ignored) {
            // Best effort: the temporary file has a name no reader looks for.
        }
    }

    private void flush() {
        buffer.flip();
        crc.update(buffer.duplicate());
        try {
            while (buffer.hasRemaining()) channel.write(buffer);
        } catch (IOException e) {
            throw new UncheckedIOException(target + ": cannot write token shard (" + e + ")", e);
        }
        buffer.clear();
    }
}

package ai.basalt.train.data;

import ai.basalt.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * A memory-mapped token shard: a corpus turned into token ids by one tokenizer, in Basalt's own format.
 *
 * <p>Layout, little-endian, a 64-byte header then the tokens:
 * <pre>
 *  offset size field
 *   0      8   magic "BSLTTOKS" (ASCII)
 *   8      4   version, 1
 *  12      4   token width in bytes: 2 (uint16) when the vocabulary has at most 65,536 tokens, else 4 (uint32)
 *  16      4   vocabulary size V, 1 to 2^31-1
 *  20      4   CRC-32C of the token bytes
 *  24      8   token count N
 *  32     32   tokenizer fingerprint ({@link TokenizerFingerprint}, SHA-256)
 *  64   N*width tokens, each below V
 * </pre>
 * Opening checks the header and that the file is exactly {@code 64 + N * width} bytes; a token is checked against V
 * when read, and {@link #verify()} checks the checksum and every token. The file is mapped with a shared arena,
 * so shards over 2 GiB work and reads may come from any thread.
 */
public final class TokenShard implements AutoCloseable {
    public static final int HEADER_BYTES = 64;
    public static final int VERSION = 1;
    /** Vocabularies of at most this many tokens are stored as uint16. */
    public static final int MAX_UINT16_VOCABULARY = 65_536;
    static final byte[] MAGIC = "BSLTTOKS".getBytes(StandardCharsets.US_ASCII);
    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final Arena arena;
    private final MemorySegment data;
    private final int width;
    private final int vocabularySize;
    private final int checksum;
    private final long tokenCount;
    private final byte[] fingerprint;

    private TokenShard(Path path, Arena arena, MemorySegment data) {
        this.path = path;
        this.arena = arena;
        this.data = data;
        long size = data.byteSize();
        if (size < HEADER_BYTES) fail("file is " + size + " bytes, shorter than the " + HEADER_BYTES + "-byte header");
        byte[] magic = data.asSlice(0, 8).toArray(ValueLayout.JAVA_BYTE);
        if (!Arrays.equals(magic, MAGIC)) {
            fail("not a Basalt token shard (magic 'BSLTTOKS' expected, found '" + HexFormat.of().formatHex(magic) + "')");
        }
        int version = data.get(U32, 8);
        if (version != VERSION) {
            fail("unsupported token shard version " + Integer.toUnsignedString(version) + " (" + VERSION + " expected)");
        }
        width = data.get(U32, 12);
        vocabularySize = data.get(U32, 16);
        checksum = data.get(U32, 20);
        tokenCount = data.get(U64, 24);
        fingerprint = data.asSlice(32, TokenizerFingerprint.BYTES).toArray(ValueLayout.JAVA_BYTE);
        if (width != 2 && width != 4) fail("token width " + Integer.toUnsignedString(width) + ", 2 or 4 expected");
        if (vocabularySize <= 0) {
            fail("vocabulary size " + Integer.toUnsignedString(vocabularySize) + ", 1 to 2^31-1 expected");
        }
        if (width != tokenWidth(vocabularySize)) {
            fail("token width " + width + " does not suit vocabulary size " + vocabularySize + " (2 bytes up to "
                    + MAX_UINT16_VOCABULARY + " tokens, else 4)");
        }
        long expected = tokenCount < 0 || tokenCount > (Long.MAX_VALUE - HEADER_BYTES) / width ? -1
                : HEADER_BYTES + tokenCount * width;
        if (expected != size) {
            fail("file is " + size + " bytes, but its header says " + Long.toUnsignedString(tokenCount) + " tokens of "
                    + width + " bytes after " + HEADER_BYTES + " header bytes (truncated or corrupt)");
        }
    }

    /**
     * Memory-maps and checks the shard at {@code path}.
     *
     * @throws TokenShardFormatException naming the file if its header is malformed or its size wrong
     * @throws UncheckedIOException naming the file if it cannot be read
     */
    public static TokenShard open(Path path) {
        Objects.requireNonNull(path, "path");
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            return new TokenShard(path, arena, channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena));
        } catch (IOException e) {
            arena.close();
            String why = e instanceof NoSuchFileException ? "no such file" : e.toString();
            throw new UncheckedIOException(path + ": cannot read token shard (" + why + ")", e);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /** Bytes per token for a vocabulary of {@code vocabularySize} tokens: 2 up to 65,536, else 4. */
    public static int tokenWidth(int vocabularySize) {
        return vocabularySize <= MAX_UINT16_VOCABULARY ? 2 : 4;
    }

    public Path path() {
        return path;
    }

    /** N, the number of tokens. */
    public long tokenCount() {
        return tokenCount;
    }

    public int vocabularySize() {
        return vocabularySize;
    }

    /** Bytes per token, 2 or 4. */
    public int tokenWidth() {
        return width;
    }

    /** The CRC-32C of the token bytes, as the header records it: with {@link #tokenCount()}, the data's identity. */
    public int checksum() {
        return checksum;
    }

    /** The SHA-256 fingerprint of the tokenizer that made the shard. */
    public byte[] fingerprint() {
        return fingerprint.clone();
    }

    /**
     * Checks that the shard was made by {@code tokenizer}: same vocabulary size and fingerprint.
     *
     * @throws TokenShardFormatException naming the file and both values if not
     */
    public void requireTokenizer(Tokenizer tokenizer) {
        requireTokenizer(tokenizer.vocabulary().size(), TokenizerFingerprint.of(tokenizer));
    }

    /** Like {@link #requireTokenizer(Tokenizer)}, for a vocabulary size and fingerprint computed before. */
    public void requireTokenizer(int vocabularySize, byte[] fingerprint) {
        if (vocabularySize != this.vocabularySize) {
            fail("made with a vocabulary of " + this.vocabularySize + " tokens, but the tokenizer has " + vocabularySize);
        }
        if (!Arrays.equals(fingerprint, this.fingerprint)) {
            fail("made by another tokenizer (fingerprint " + TokenizerFingerprint.hex(this.fingerprint)
                    + ", the tokenizer's is " + TokenizerFingerprint.hex(fingerprint) + ")");
        }
    }

    /**
     * Token {@code index}.
     *
     * @throws IndexOutOfBoundsException if {@code index} is not in {@code [0, N)}
     * @throws TokenShardFormatException if the stored id is not below the vocabulary size
     */
    public int token(long index) {
        Objects.checkIndex(index, tokenCount);
        return checked(index, raw(index));
    }

    /** Copies tokens {@code [start, start + length)} into {@code dst[offset ...]}, checking each against V. */
    public void read(long start, int[] dst, int offset, int length) {
        Objects.checkFromIndexSize(start, length, tokenCount);
        Objects.checkFromIndexSize(offset, length, dst.length);
        for (int i = 0; i < length; i++) dst[offset + i] = checked(start + i, raw(start + i));
    }

    /**
     * Reads the whole shard: the CRC-32C of the tokens must match the header's and every token must be below V.
     *
     * @throws TokenShardFormatException naming the file and the first problem
     */
    public void verify() {
        CRC32C crc = new CRC32C();
        long bytes = tokenCount * width;
        for (long at = 0; at < bytes; at += 1 << 24) {
            crc.update(data.asSlice(HEADER_BYTES + at, Math.min(1 << 24, bytes - at)).asByteBuffer());
        }
        if ((int) crc.getValue() != checksum) {
            fail(String.format("checksum mismatch (header says CRC-32C 0x%08x, the tokens give 0x%08x)",
                    checksum, (int) crc.getValue()));
        }
        for (long i = 0; i < tokenCount; i++) checked(i, raw(i));
    }

    private int raw(long index) {
        long at = HEADER_BYTES + index * width;
        return width == 2 ? Short.toUnsignedInt(data.get(U16, at)) : data.get(U32, at);
    }

    private int checked(long index, int token) {
        if (token < 0 || token >= vocabularySize) {
            fail("token " + Integer.toUnsignedString(token) + " at position " + index
                    + " is outside the vocabulary of " + vocabularySize + " tokens");
        }
        return token;
    }

    private void fail(String problem) {
        throw new TokenShardFormatException(path + ": " + problem);
    }

    /** Unmaps the shard. Closing twice does nothing. */
    @Override
    public synchronized void close() {
        if (arena.scope().isAlive()) arena.close();
    }

    @Override
    public String toString() {
        return "TokenShard[" + path + ", " + tokenCount + " tokens, V=" + vocabularySize + "]";
    }
}

package ai.basalt.train;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Basalt's training checkpoint format, written atomically ({@link AtomicFiles}) so a crash leaves the previous
 * complete checkpoint in place. Little-endian:
 * <pre>
 *  offset   size  field
 *   0        8    magic "BSLTCKPT" (ASCII)
 *   8        4    version, 1
 *  12        4    H, bytes of the JSON header
 *  16        8    P, bytes of the payload: H + 12 · (sum of the parameters' sizes)
 *  24        4    CRC-32C of the payload
 *  28        4    reserved, 0
 *  32        H    JSON header, UTF-8 ({@link CheckpointJson}): settings, model spec, tokenizer fingerprint, data
 *                 identities, step, loader and generator states, and per parameter its name, kind, shape and
 *                 AdamW step count, in {@code parameters()} order
 *  32+H      …    float32 blocks: every parameter's values, then every parameter's AdamW first moment, then every
 *                 second moment, each in header order
 * </pre>
 * Reading checks the magic, the version, that the file is exactly {@code 32 + P} bytes, the checksum, then that the
 * header's shapes account for every byte; each failure is a one-line {@link CheckpointException} naming the file.
 */
public final class CheckpointFile {
    public static final int VERSION = 1;
    static final byte[] MAGIC = "BSLTCKPT".getBytes(StandardCharsets.US_ASCII);
    static final int PREAMBLE_BYTES = 32;
    private static final int CHUNK_BYTES = 1 << 20;

    private CheckpointFile() {}

    /** Writes {@code checkpoint} to {@code file}, replacing it atomically. */
    public static void write(Path file, Checkpoint checkpoint) {
        byte[] header = CheckpointJson.toBytes(checkpoint);
        long floats = 0;
        for (Checkpoint.Tensor t : checkpoint.tensors()) floats += t.size();
        long payload = Math.addExact(header.length, Math.multiplyExact(12L, floats));
        AtomicFiles.write(file, channel -> {
            CRC32C crc = new CRC32C();
            Blocks out = new Blocks(channel, crc);
            channel.position(PREAMBLE_BYTES);
            out.writeBytes(header);
            for (Checkpoint.Tensor t : checkpoint.tensors()) out.writeFloats(t.values());
            for (Checkpoint.Tensor t : checkpoint.tensors()) out.writeFloats(t.expAvg());
            for (Checkpoint.Tensor t : checkpoint.tensors()) out.writeFloats(t.expAvgSq());
            out.flush();
            ByteBuffer preamble = ByteBuffer.allocate(PREAMBLE_BYTES).order(ByteOrder.LITTLE_ENDIAN).put(MAGIC)
                    .putInt(VERSION).putInt(header.length).putLong(payload).putInt((int) crc.getValue()).putInt(0)
                    .flip();
            for (long at = 0; preamble.hasRemaining(); ) at += channel.write(preamble, at);
        });
    }

    /**
     * Reads and checks a whole checkpoint.
     *
     * @throws CheckpointException naming the file if it is missing, truncated, corrupt or of another version
     */
    public static Checkpoint read(Path file) {
        try (FileChannel channel = open(file)) {
            Preamble p = preamble(file, channel);
            verifyChecksum(file, channel, p);
            channel.position(PREAMBLE_BYTES);
            Blocks in = new Blocks(channel, new CRC32C());
            byte[] headerBytes = in.readBytes(p.headerBytes());
            CheckpointJson.Parsed parsed = CheckpointJson.parse(file, headerBytes);
            long floats = 0;
            for (CheckpointJson.TensorInfo t : parsed.tensors()) floats += t.size();
            if (12 * floats != p.payloadBytes() - p.headerBytes()) {
                throw new CheckpointException(file + ": the header describes " + 12 * floats + " bytes of tensors, the "
                        + "file holds " + (p.payloadBytes() - p.headerBytes()) + " (corrupt)");
            }
            List<float[][]> arrays = new ArrayList<>();
            for (CheckpointJson.TensorInfo t : parsed.tensors()) arrays.add(new float[3][t.size()]);
            for (int block = 0; block < 3; block++) {
                for (float[][] a : arrays) in.readFloats(a[block]);
            }
            List<Checkpoint.Tensor> tensors = new ArrayList<>();
            for (int i = 0; i < arrays.size(); i++) {
                CheckpointJson.TensorInfo t = parsed.tensors().get(i);
                float[][] a = arrays.get(i);
                tensors.add(new Checkpoint.Tensor(t.name(), t.kind(), t.shape(), t.adamStep(), a[0], a[1], a[2]));
            }
            return new Checkpoint(parsed.header(), tensors);
        } catch (EOFException e) {
            throw new CheckpointException(file + ": ends early (truncated)", e);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read checkpoint (" + e + ")", e);
        }
    }

    /**
     * Reads the header only (not the checksum or tensors): enough to learn a run's settings before resuming.
     *
     * @throws CheckpointException naming the file if its preamble or header is malformed
     */
    public static Checkpoint.Header readHeader(Path file) {
        try (FileChannel channel = open(file)) {
            Preamble p = preamble(file, channel);
            channel.position(PREAMBLE_BYTES);
            byte[] headerBytes = new Blocks(channel, new CRC32C()).readBytes(p.headerBytes());
            return CheckpointJson.parse(file, headerBytes).header();
        } catch (EOFException e) {
            throw new CheckpointException(file + ": ends early (truncated)", e);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read checkpoint (" + e + ")", e);
        }
    }

    private static FileChannel open(Path file) throws IOException {
        try {
            return FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file + ": no such checkpoint", e);
        }
    }

    private record Preamble(int headerBytes, long payloadBytes, int crc) {}

    private static Preamble preamble(Path file, FileChannel channel) throws IOException {
        long size = channel.size();
        if (size < PREAMBLE_BYTES) {
            throw new CheckpointException(file + ": " + size + " bytes, shorter than the " + PREAMBLE_BYTES
                    + "-byte preamble (truncated or not a checkpoint)");
        }
        ByteBuffer b = ByteBuffer.allocate(PREAMBLE_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (long at = 0; b.hasRemaining(); ) at += channel.read(b, at);
        b.flip();
        byte[] magic = new byte[8];
        b.get(magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new CheckpointException(file + ": not a Basalt checkpoint (magic 'BSLTCKPT' expected, found "
                    + HexFormat.of().formatHex(magic) + ")");
        }
        int version = b.getInt();
        if (version != VERSION) {
            throw new CheckpointException(file + ": checkpoint format version " + Integer.toUnsignedString(version)
                    + ", this Basalt reads version " + VERSION);
        }
        int headerBytes = b.getInt();
        long payload = b.getLong();
        int crc = b.getInt();
        if (headerBytes <= 0 || payload < headerBytes || payload > size - PREAMBLE_BYTES) {
            throw new CheckpointException(file + ": " + size + " bytes, but its preamble announces a payload of "
                    + payload + " bytes with a " + Integer.toUnsignedString(headerBytes) + "-byte header (truncated)");
        }
        if (payload != size - PREAMBLE_BYTES) {
            throw new CheckpointException(file + ": " + size + " bytes, " + (size - PREAMBLE_BYTES - payload)
                    + " more than its preamble announces (corrupt)");
        }
        return new Preamble(headerBytes, payload, crc);
    }

    private static void verifyChecksum(Path file, FileChannel channel, Preamble p) throws IOException {
        CRC32C crc = new CRC32C();
        ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK_BYTES);
        long end = PREAMBLE_BYTES + p.payloadBytes();
        for (long at = PREAMBLE_BYTES; at < end; ) {
            chunk.clear().limit((int) Math.min(CHUNK_BYTES, end - at));
            int n = channel.read(chunk, at);
            if (n < 0) throw new EOFException();
            at += n;
            crc.update(chunk.flip());
        }
        if ((int) crc.getValue() != p.crc()) {
            throw new CheckpointException(String.format("%s: checksum mismatch (preamble says CRC-32C 0x%08x, the payload "
                    + "gives 0x%08x): the file is corrupt", file, p.crc(), (int) crc.getValue()));
        }
    }

    /** Sequential little-endian reads and writes through one buffer, feeding a CRC-32C. */
    private static final class Blocks {
        private final FileChannel channel;
        private final CRC32C crc;
        private final ByteBuffer buffer = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);

        Blocks(FileChannel channel, CRC32C crc) {
            this.channel = channel;
            this.crc = crc;
        }

        void writeBytes(byte[] bytes) throws IOException {
            for (int at = 0; at < bytes.length; ) {
                if (!buffer.hasRemaining()) flush();
                int n = Math.min(buffer.remaining(), bytes.length - at);
                buffer.put(bytes, at, n);
                at += n;
            }
        }

        void writeFloats(float[] values) throws IOException {
            for (int at = 0; at < values.length; ) {
                if (buffer.remaining() < Float.BYTES) flush();
                int n = Math.min(buffer.remaining() / Float.BYTES, values.length - at);
                buffer.asFloatBuffer().put(values, at, n);
                buffer.position(buffer.position() + n * Float.BYTES);
                at += n;
            }
        }

        void flush() throws IOException {
            buffer.flip();
            crc.update(buffer.duplicate());
            while (buffer.hasRemaining()) channel.write(buffer);
            buffer.clear();
        }

        byte[] readBytes(int count) throws IOException {
            byte[] out = new byte[count];
            for (int at = 0; at < count; ) {
                int n = fill(Math.min(CHUNK_BYTES, count - at));
                buffer.get(out, at, n);
                at += n;
            }
            return out;
        }

        void readFloats(float[] out) throws IOException {
            for (int at = 0; at < out.length; ) {
                int n = fill(Math.min(CHUNK_BYTES, (out.length - at) * Float.BYTES)) / Float.BYTES;
                buffer.asFloatBuffer().get(out, at, n);
                at += n;
            }
        }

        /** Reads exactly {@code count} bytes into the cleared buffer, flipped for reading. */
        private int fill(int count) throws IOException {
            buffer.clear().limit(count);
            while (buffer.hasRemaining()) {
                if (channel.read(buffer) < 0) throw new EOFException();
            }
            buffer.flip();
            return count;
        }
    }
}

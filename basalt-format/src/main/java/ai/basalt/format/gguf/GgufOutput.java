package ai.basalt.format.gguf;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;

/** Little-endian writes of GGUF fields to a channel, through one buffer, counting the bytes written. */
final class GgufOutput {
    private static final int BUFFER_BYTES = 1 << 20;

    private final WritableByteChannel channel;
    private final byte[] array = new byte[BUFFER_BYTES];
    private final ByteBuffer buffer = ByteBuffer.wrap(array).order(ByteOrder.LITTLE_ENDIAN);
    private long flushed;

    GgufOutput(WritableByteChannel channel) {
        this.channel = channel;
    }

    /** Bytes written so far, buffered ones included. */
    long position() {
        return flushed + buffer.position();
    }

    void u8(int v) throws IOException {
        room(1).put((byte) v);
    }

    void u16(int v) throws IOException {
        room(2).putShort((short) v);
    }

    void u32(int v) throws IOException {
        room(4).putInt(v);
    }

    void u64(long v) throws IOException {
        room(8).putLong(v);
    }

    void f32(float v) throws IOException {
        room(4).putFloat(v);
    }

    void f64(double v) throws IOException {
        room(8).putDouble(v);
    }

    /** A GGUF string: uint64 byte length, then the UTF-8 bytes. */
    void string(String s) throws IOException {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        u64(bytes.length);
        for (int off = 0; off < bytes.length; ) {
            int n = Math.min(bytes.length - off, room(1).remaining());
            buffer.put(bytes, off, n);
            off += n;
        }
    }

    /** All bytes of {@code segment}, of any size and backing (native, mapped, or a heap array of any type). */
    void segment(MemorySegment segment) throws IOException {
        long size = segment.byteSize();
        for (long off = 0; off < size; ) {
            int n = (int) Math.min(size - off, room(1).remaining());
            MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, off, array, buffer.position(), n);
            buffer.position(buffer.position() + n);
            off += n;
        }
    }

    /** Zero bytes up to the next multiple of {@code alignment}. */
    void pad(long alignment) throws IOException {
        long padding = GgufReader.alignUp(position(), alignment) - position();
        for (long i = 0; i < padding; i++) u8(0);
    }

    void flush() throws IOException {
        buffer.flip();
        while (buffer.hasRemaining()) flushed += channel.write(buffer);
        buffer.clear();
    }

    private ByteBuffer room(int bytes) throws IOException {
        if (buffer.remaining() < bytes) flush();
        return buffer;
    }
}

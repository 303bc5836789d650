package ai.basalt.format.safetensors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small safetensors files made byte by byte, and the writer's output as bytes, for tests. */
final class SafetensorsBytes {
    private SafetensorsBytes() {}

    /** The 8-byte little-endian length of {@code header}'s UTF-8 bytes, the header, then {@code data}. */
    static byte[] file(String header, byte[] data) {
        return file(header.getBytes(StandardCharsets.UTF_8), data);
    }

    static byte[] file(byte[] header, byte[] data) {
        return ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(header.length).put(header).put(data).array();
    }

    /** What {@code writer} writes, as bytes. */
    static byte[] written(SafetensorsWriter writer) {
        try {
            Path temp = Files.createTempFile("basalt-safetensors", ".safetensors");
            try {
                writer.write(temp);
                return Files.readAllBytes(temp);
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads {@code bytes} as a file called {@code name}. */
    static SafetensorsFile read(String name, byte[] bytes) {
        return SafetensorsFile.read(Path.of(name), MemorySegment.ofArray(bytes));
    }

    /** Little-endian float32 bytes of {@code values}. */
    static byte[] f32(float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) b.putFloat(v);
        return b.array();
    }
}

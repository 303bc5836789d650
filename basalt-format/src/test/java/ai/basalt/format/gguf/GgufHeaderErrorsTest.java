package ai.basalt.format.gguf;

import static ai.basalt.format.gguf.GgufTestFiles.rejection;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Malformed headers and metadata: each is refused with a one-line message naming the file and the problem. */
class GgufHeaderErrorsTest {
    private static final long HUGE = 1L << 60;

    @TempDir
    Path dir;

    @Test
    void emptyFile() throws IOException {
        Path file = Files.createFile(dir.resolve("empty.gguf"));
        assertThatThrownBy(() -> GgufFile.open(file))
                .isInstanceOf(GgufFormatException.class)
                .hasMessage(file + ": not a GGUF file (the file is empty)");
    }

    @Test
    void missingFileAndFolderNameThePath() {
        Path missing = dir.resolve("missing.gguf");
        assertThatThrownBy(() -> GgufFile.open(missing))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessage(missing + ": cannot read GGUF file (no such file)");
        assertThatThrownBy(() -> GgufFile.open(dir))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageStartingWith(dir + ": cannot read GGUF file");
    }

    @Test
    void wrongMagic() {
        assertThat(rejection(new byte[24])).isEqualTo("bad.gguf: not a GGUF file (magic 0x46554747 expected, found 0x00000000) (header)");
        byte[] ggml = GgufBytes.header(3, 0, 0).bytes();
        ggml[2] = 'M';
        ggml[3] = 'L';
        assertThat(rejection(ggml)).contains("found 0x4c4d4747");
    }

    @Test
    void unsupportedVersions() {
        assertThat(rejection(GgufBytes.header(1, 0, 0).bytes()))
                .contains("GGUF version 1 is not supported (its counts are 32-bit; versions 2 and 3 are read)");
        assertThat(rejection(GgufBytes.header(4, 0, 0).bytes())).contains("unsupported GGUF version 4 (2 or 3 expected)");
        assertThat(rejection(GgufBytes.header(0x0300_0000, 0, 0).bytes()))
                .contains("big-endian GGUF file (version reads 0x03000000, which is 3 byte-swapped)");
        assertThat(rejection(GgufBytes.header(-1, 0, 0).bytes())).contains("unsupported GGUF version 4294967295");
    }

    @Test
    void headerOnlyFilesWithNothingInThemOpen() {
        try (GgufFile gguf = GgufTestFiles.read("ok.gguf", GgufBytes.header(2, 0, 0).bytes())) {
            assertThat(gguf.version()).isEqualTo(2);
            assertThat(gguf.metadata().keys()).isEmpty();
            assertThat(gguf.tensors()).isEmpty();
        }
    }

    @Test
    void everyTruncationIsRefused() {
        byte[] file = GgufTestFiles.bytesOf(GgufTestFiles.withSampleTensors(GgufTestFiles.everyType(), 5));
        long needed;
        try (GgufFile whole = GgufTestFiles.read("whole.gguf", file)) {
            GgufTensorInfo last = whole.tensors().getLast();
            needed = whole.dataOffset() + last.offset() + last.byteSize();
        }
        for (int length = 0; length < needed; length++) {
            assertThat(rejection(Arrays.copyOf(file, length))).as("prefix of %d bytes", length)
                    .containsAnyOf("truncated", "exceeds", "beyond the end of the file", "the file is empty");
        }
        assertThat(rejection(Arrays.copyOf(file, 2)))
                .isEqualTo("bad.gguf: truncated: magic needs 4 bytes at offset 0, but the file ends at 2 (header)");
        assertThat(rejection(Arrays.copyOf(file, 12))).contains("truncated: tensor count needs 8 bytes at offset 8");
        int unicodeValue = indexOf(file, "test.unicode".getBytes(StandardCharsets.UTF_8)) + "test.unicode".length() + 4;
        assertThat(rejection(Arrays.copyOf(file, unicodeValue + 8 + 3)))
                .contains("string length 31 exceeds the remaining 3 bytes of the file (metadata key 'test.unicode')");
        assertThat(rejection(Arrays.copyOf(file, unicodeValue + 5)))
                .contains("truncated: string length needs 8 bytes", "(metadata key 'test.unicode')");
        assertThat(rejection(Arrays.copyOf(file, (int) needed - 1))).contains("tensor 'bf16.3d'", "extends beyond the end of the file");
    }

    @Test
    void countsTheFileCannotHoldFailFast() {
        assertThat(rejection(GgufBytes.header(3, HUGE, 0).bytes()))
                .contains("tensor count 1152921504606846976 exceeds what the remaining 8 bytes of the file can hold");
        assertThat(rejection(GgufBytes.header(3, 0, HUGE).bytes())).contains("metadata kv count 1152921504606846976 exceeds");
        assertThat(rejection(GgufBytes.header(3, -1, 0).bytes())).contains("tensor count 18446744073709551615 exceeds");
        byte[] strings = GgufBytes.header(3, 0, 1).kv("k", GgufValueType.ARRAY)
                .u32(GgufValueType.STRING.id()).u64(HUGE).zeros(64).bytes();
        assertThat(rejection(strings)).contains("array length 1152921504606846976 exceeds what the remaining 64 bytes", "(metadata key 'k')");
        byte[] floats = GgufBytes.header(3, 0, 1).kv("k", GgufValueType.ARRAY)
                .u32(GgufValueType.FLOAT32.id()).u64(17).zeros(64).bytes();
        assertThat(rejection(floats)).contains("array length 17 exceeds what the remaining 64 bytes");
        byte[] longString = GgufBytes.header(3, 0, 1).kv("k", GgufValueType.STRING).u64(Long.MIN_VALUE).bytes();
        assertThat(rejection(longString)).contains("string length 9223372036854775808 exceeds the remaining 0 bytes");
        byte[] longKey = GgufBytes.header(3, 0, 1).u64(-1).zeros(16).bytes();
        assertThat(rejection(longKey)).contains("key length 18446744073709551615 exceeds the remaining 16 bytes", "(metadata entry 0)");
    }

    @Test
    void unknownValueTypes() {
        assertThat(rejection(GgufBytes.header(3, 0, 1).str("k").u32(13).zeros(8).bytes()))
                .contains("unknown value type id 13 (0 to 12 expected) (metadata key 'k')");
        byte[] array = GgufBytes.header(3, 0, 1).kv("k", GgufValueType.ARRAY).u32(99).u64(0).bytes();
        assertThat(rejection(array)).contains("unknown array element type id 99");
    }

    @Test
    void boolsOtherThanZeroOrOne() {
        assertThat(rejection(GgufBytes.header(3, 0, 1).kv("flag", GgufValueType.BOOL).u8(2).bytes()))
                .contains("bool value 2 is neither 0 nor 1 (metadata key 'flag')");
        byte[] array = GgufBytes.header(3, 0, 1).kv("flags", GgufValueType.ARRAY)
                .u32(GgufValueType.BOOL.id()).u64(2).u8(1).u8(255).bytes();
        assertThat(rejection(array)).contains("bool value 255 is neither 0 nor 1");
    }

    @Test
    void duplicateKeysEvenHostileOnesStayOnOneLine() {
        GgufBytes bytes = GgufBytes.header(3, 0, 2);
        for (int i = 0; i < 2; i++) bytes.kv("evil\nkey", GgufValueType.UINT8).u8(i);
        assertThat(rejection(bytes.bytes())).contains("duplicate metadata key 'evil\\nkey'");
    }

    @Test
    void nestingIsBounded() {
        GgufBytes bytes = GgufBytes.header(3, 0, 1).kv("deep", GgufValueType.ARRAY);
        for (int i = 0; i < 40; i++) bytes.u32(GgufValueType.ARRAY.id()).u64(1);
        bytes.u32(GgufValueType.UINT8.id()).u64(0);
        assertThat(rejection(bytes.bytes())).contains("arrays nested deeper than 32 levels");
    }

    @Test
    void keysLongerThanTheSpecAllows() {
        String key = "k".repeat(65_536);
        assertThat(rejection(GgufBytes.header(3, 0, 1).kv(key, GgufValueType.UINT8).u8(0).bytes()))
                .contains("key of 65536 bytes exceeds the limit of 65535 bytes");
    }

    @Test
    void alignmentMustBeAPowerOfTwo() {
        for (long alignment : new long[] {0, 3, 48, 1L << 32}) {
            byte[] bytes = GgufBytes.header(3, 0, 1).kv("general.alignment", GgufValueType.UINT64).u64(alignment).bytes();
            assertThat(rejection(bytes)).contains("alignment " + alignment + " is not a power of two between 1 and 2^31");
        }
        byte[] text = GgufBytes.header(3, 0, 1).kv("general.alignment", GgufValueType.STRING).str("32").bytes();
        assertThat(rejection(text)).contains("metadata key 'general.alignment' is STRING, an integer expected");
    }

    @Test
    void malformedUtf8IsReplacedNotRejected() {
        byte[] bad = {'a', (byte) 0xFF, 'b', (byte) 0xC3};
        byte[] bytes = GgufBytes.header(3, 0, 1).kv("k", GgufValueType.STRING).str(bad).bytes();
        try (GgufFile gguf = GgufTestFiles.read("utf8.gguf", bytes)) {
            assertThat(gguf.metadata().getString("k")).isEqualTo("a\ufffdb\ufffd");
        }
        String unicode = "\u2581\u65e5\ud83e\udd99";
        byte[] good = GgufBytes.header(3, 0, 1).kv("k", GgufValueType.STRING).str(unicode.getBytes(StandardCharsets.UTF_8)).bytes();
        try (GgufFile gguf = GgufTestFiles.read("utf8.gguf", good)) {
            assertThat(gguf.metadata().getString("k")).isEqualTo(unicode);
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) continue outer;
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}

package ai.basalt.format.safetensors;

import static ai.basalt.format.safetensors.SafetensorsBytes.file;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every invariant of the format, broken once: each gives a one-line message naming the file and the problem. */
class SafetensorsHeaderErrorsTest {
    private static final String F32_2 = "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";

    static Stream<Arguments> brokenFiles() {
        return Stream.of(
                broken("empty file", new byte[0], "file is 0 bytes, too short for the 8-byte header length"),
                broken("header length cut", new byte[] {8, 0, 0}, "file is 3 bytes, too short"),
                broken("header length over the reference's limit", length(100_000_001L),
                        "header length 100000001 exceeds the limit of 100000000 bytes"),
                broken("header length with the top bit set", length(-1L),
                        "header length 18446744073709551615 exceeds the limit"),
                broken("header length beyond the file", append(length(64), "{}"),
                        "header length 64 is larger than the 2 bytes that follow it in the file"),
                broken("empty header", length(0), "header does not begin with '{' (it is empty)"),
                broken("header not starting with a brace", file(" {}", new byte[0]),
                        "header does not begin with '{' (found byte 0x20)"),
                broken("invalid UTF-8", file(new byte[] {'{', '"', (byte) 0xC3, '"', ':', '1', '}'}, new byte[0]),
                        "header is not valid UTF-8"),
                broken("invalid JSON", file("{\"a\":", new byte[0]), "header is not valid JSON ("),
                broken("trailing garbage", file("{} x", new byte[0]), "header is not valid JSON ("),
                broken("NUL padding", file("{}\0\0", new byte[0]), "header is not valid JSON ("),
                broken("duplicate tensor name", file("{\"a\":" + F32_2 + ",\"a\":" + F32_2 + "}", new byte[16]),
                        "header is not valid JSON (Duplicate field 'a'"),
                broken("metadata not an object", file("{\"__metadata__\":[]}", new byte[0]),
                        "__metadata__ is an array, an object of strings expected"),
                broken("metadata value not a string", file("{\"__metadata__\":{\"k\":1}}", new byte[0]),
                        "__metadata__ value of 'k' is the number 1, a string expected"),
                broken("tensor entry not an object", file("{\"a\":[]}", new byte[0]),
                        "tensor 'a' is an array, an object expected"),
                broken("no dtype", file("{\"a\":{\"shape\":[],\"data_offsets\":[0,0]}}", new byte[0]),
                        "tensor 'a' has no \"dtype\""),
                broken("dtype not a string", file("{\"a\":{\"dtype\":4,\"shape\":[],\"data_offsets\":[0,4]}}", new byte[4]),
                        "tensor 'a': dtype is the number 4, a string expected"),
                broken("unknown dtype", tensor("\"F33\"", "[1]", "[0,4]", 4), "tensor 'a': unknown dtype 'F33'"),
                broken("lower-case dtype", tensor("\"f32\"", "[1]", "[0,4]", 4), "tensor 'a': unknown dtype 'f32'"),
                broken("8-bit float dtype", tensor("\"F8_E4M3\"", "[1]", "[0,1]", 1),
                        "tensor 'a': dtype F8_E4M3 is not supported"),
                broken("complex dtype", tensor("\"C64\"", "[1]", "[0,8]", 8), "tensor 'a': dtype C64 is not supported"),
                broken("no shape", file("{\"a\":{\"dtype\":\"U8\",\"data_offsets\":[0,0]}}", new byte[0]),
                        "tensor 'a' has no \"shape\""),
                broken("shape not an array", tensor("\"U8\"", "3", "[0,3]", 3), "tensor 'a': shape is the number 3, an array"),
                broken("negative dimension", tensor("\"U8\"", "[-1]", "[0,0]", 0),
                        "tensor 'a': shape[0] is the number -1, an integer from 0 to 2^63-1 expected"),
                broken("fractional dimension", tensor("\"U8\"", "[1.5]", "[0,1]", 1), "shape[0] is the number 1.5"),
                broken("dimension beyond a long", tensor("\"U8\"", "[9223372036854775808]", "[0,1]", 1),
                        "shape[0] is the number 9223372036854775808"),
                broken("no data offsets", file("{\"a\":{\"dtype\":\"U8\",\"shape\":[]}}", new byte[0]),
                        "tensor 'a' has no \"data_offsets\""),
                broken("three data offsets", tensor("\"U8\"", "[1]", "[0,1,1]", 1),
                        "tensor 'a': data_offsets has 3 elements, 2 expected"),
                broken("string data offset", tensor("\"U8\"", "[1]", "[0,\"1\"]", 1), "data_offsets[1] is the string '1'"),
                broken("end before begin", tensor("\"U8\"", "[0]", "[1,0]", 1),
                        "tensor 'a': data offsets [1, 0) are not a byte range"),
                broken("size not shape times dtype", tensor("\"F32\"", "[2]", "[0,4]", 4),
                        "tensor 'a': data offsets [0, 4) hold 4 bytes, 8 expected for F32 [2]"),
                broken("element count overflows", tensor("\"U8\"", "[4294967296,4294967296]", "[0,1]", 1),
                        "tensor 'a': size of U8 [4294967296, 4294967296] overflows a long"),
                broken("byte size overflows", tensor("\"F64\"", "[2305843009213693952]", "[0,1]", 1),
                        "tensor 'a': size of F64 [2305843009213693952] overflows a long"),
                broken("data beyond the file", tensor("\"U8\"", "[8]", "[0,8]", 4),
                        "tensor 'a' data [0, 8) extends beyond the end of the file: the byte buffer after the header is 4 bytes"),
                broken("hole at the start", tensor("\"U8\"", "[2]", "[2,4]", 4),
                        "hole in the byte buffer: bytes [0, 2) belong to no tensor (the next, 'a', starts at 2)"),
                broken("bytes after the last tensor", tensor("\"U8\"", "[2]", "[0,2]", 4),
                        "the tensors cover 2 bytes of the 4-byte buffer after the header; the rest belongs to no tensor"),
                broken("overlap", file("{\"a\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4]},"
                        + "\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[2,4]}}", new byte[4]),
                        "tensor 'b' data [2, 4) overlaps the previous tensor's, which ends at 4"),
                broken("data but no tensors", file("{}", new byte[1]),
                        "the tensors cover 0 bytes of the 1-byte buffer after the header"),
                broken("header is an array", file("[]", new byte[0]), "header does not begin with '{' (found byte 0x5b)"),
                broken("hostile name is escaped", file("{\"a\\nb\":[]}", new byte[0]),
                        "tensor 'a\\nb' is an array, an object expected"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenFiles")
    void brokenFileIsRejectedWithAOneLineMessage(String what, byte[] bytes, String expected) {
        assertThatThrownBy(() -> SafetensorsBytes.read("bad.safetensors", bytes).close())
                .isInstanceOf(SafetensorsFormatException.class)
                .hasMessageStartingWith("bad.safetensors: ")
                .hasMessageContaining(expected)
                .hasMessageNotContaining("\n");
    }

    private static Arguments broken(String what, byte[] bytes, String expected) {
        return Arguments.of(what, bytes, expected);
    }

    private static byte[] tensor(String dtype, String shape, String offsets, int dataBytes) {
        return file("{\"a\":{\"dtype\":" + dtype + ",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}}",
                new byte[dataBytes]);
    }

    private static byte[] length(long n) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(n).array();
    }

    private static byte[] append(byte[] head, String tail) {
        byte[] t = tail.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] out = java.util.Arrays.copyOf(head, head.length + t.length);
        System.arraycopy(t, 0, out, head.length, t.length);
        return out;
    }
}

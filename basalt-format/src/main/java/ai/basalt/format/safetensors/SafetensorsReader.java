package ai.basalt.format.safetensors;

import static ai.basalt.format.safetensors.SafetensorsFormatException.quote;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses a safetensors file's header in the order of the format's description (huggingface/safetensors
 * {@code README.md}, "Format") and checks every invariant it and the reference implementation state: the 8-byte
 * little-endian header length N, at most 100,000,000 as the reference allows and inside the file; N bytes of
 * UTF-8 that begin with {@code '{'} and hold one JSON object, optionally padded with whitespace, with no duplicate
 * keys; an optional {@code "__metadata__"} object of strings; per tensor a known dtype, a shape of non-negative
 * integers and {@code data_offsets [begin, end)} whose length is the shape's element count times the dtype's size,
 * without overflow; and tensors that, in offset order, cover the byte buffer after the header exactly, from 0 to
 * the end of the file, with no hole and no overlap.
 */
final class SafetensorsReader {
    /** The largest header the reference implementation reads ({@code MAX_HEADER_SIZE}). */
    static final long MAX_HEADER_BYTES = 100_000_000L;
    static final String METADATA_KEY = "__metadata__";
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Duplicate keys are refused, as the format says; a header may hold strings as long as itself. */
    static final JsonMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxStringLength((int) MAX_HEADER_BYTES).maxNestingDepth(64).build())
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** What the header says: its length N, the metadata and the tensors in offset order. */
    record Header(long headerSize, Map<String, String> metadata, List<SafetensorsTensorInfo> tensors) {
        /** Where the byte buffer starts: after the 8-byte length and the N header bytes. */
        long dataOffset() {
            return 8 + headerSize;
        }
    }

    private SafetensorsReader() {}

    /** Reads the file in {@code data}; {@code source} names it in messages. */
    static Header read(String source, MemorySegment data) {
        long size = data.byteSize();
        // 8 bytes: N, an unsigned little-endian 64-bit integer
        if (size < 8) throw fail(source, "file is " + size + " bytes, too short for the 8-byte header length");
        long n = data.get(U64, 0);
        if (n < 0 || n > MAX_HEADER_BYTES) {
            throw fail(source, "header length " + Long.toUnsignedString(n) + " exceeds the limit of "
                    + MAX_HEADER_BYTES + " bytes");
        }
        if (n > size - 8) {
            throw fail(source, "header length " + n + " is larger than the " + (size - 8)
                    + " bytes that follow it in the file");
        }
        // N bytes: a JSON UTF-8 string that begins with '{', possibly padded with spaces
        byte[] bytes = data.asSlice(8, n).toArray(ValueLayout.JAVA_BYTE);
        if (n == 0 || bytes[0] != '{') {
            throw fail(source, "header does not begin with '{' (" + (n == 0 ? "it is empty" : String.format(
                    "found byte 0x%02x", bytes[0] & 0xFF)) + "); a JSON object expected");
        }
        JsonNode root = parse(source, decodeUtf8(source, bytes));
        Map<String, String> metadata = Map.of();
        List<SafetensorsTensorInfo> tensors = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            if (field.getKey().equals(METADATA_KEY)) {
                metadata = metadata(source, field.getValue());
            } else {
                tensors.add(tensorInfo(source, field.getKey(), field.getValue()));
            }
        }
        // The byte buffer: indexed entirely, without holes (the reference sorts by offsets, then checks)
        tensors.sort(Comparator.comparingLong(SafetensorsTensorInfo::begin)
                .thenComparingLong(SafetensorsTensorInfo::end).thenComparing(SafetensorsTensorInfo::name));
        checkCoverage(source, tensors, size - 8 - n);
        return new Header(n, metadata, List.copyOf(tensors));
    }

    private static String decodeUtf8(String source, byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw fail(source, "header is not valid UTF-8 (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static JsonNode parse(String source, String text) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            String why = e.getOriginalMessage();
            if (why != null && why.length() > 160) why = why.substring(0, 160) + "...";
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw fail(source, "header is not valid JSON (" + why + where + ")");
        }
        if (root == null || !root.isObject()) throw fail(source, "header is not a JSON object");
        return root;
    }

    // "__metadata__": free-form string-to-string map
    private static Map<String, String> metadata(String source, JsonNode node) {
        if (node.isNull()) return Map.of();
        if (!node.isObject()) {
            throw fail(source, METADATA_KEY + " is " + describe(node) + ", an object of strings expected");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isTextual()) {
                throw fail(source, METADATA_KEY + " value of " + quote(e.getKey()) + " is " + describe(e.getValue())
                        + ", a string expected");
            }
            metadata.put(e.getKey(), e.getValue().textValue());
        }
        return Collections.unmodifiableMap(metadata);
    }

    // "TENSOR_NAME": {"dtype": "F16", "shape": [1, 16, 256], "data_offsets": [BEGIN, END]}
    private static SafetensorsTensorInfo tensorInfo(String source, String name, JsonNode node) {
        String where = "tensor " + quote(name);
        if (!node.isObject()) throw fail(source, where + " is " + describe(node) + ", an object expected");
        SafetensorsDType dtype = dtype(source, where, node.get("dtype"));
        long[] shape = integers(source, where, "shape", node.get("shape"), -1);
        long[] offsets = integers(source, where, "data_offsets", node.get("data_offsets"), 2);
        try {
            return new SafetensorsTensorInfo(name, dtype, shape, offsets[0], offsets[1]);
        } catch (ArithmeticException e) {
            throw fail(source, where + ": size of " + dtype + " " + Arrays.toString(shape) + " overflows a long");
        } catch (IllegalArgumentException e) {
            throw fail(source, where + ": " + e.getMessage());
        }
    }

    private static SafetensorsDType dtype(String source, String where, JsonNode node) {
        if (node == null) throw fail(source, where + " has no \"dtype\"");
        if (!node.isTextual()) throw fail(source, where + ": dtype is " + describe(node) + ", a string expected");
        String name = node.textValue();
        SafetensorsDType dtype = SafetensorsDType.fromName(name);
        if (dtype != null) return dtype;
        if (SafetensorsDType.UNSUPPORTED.contains(name)) {
            throw fail(source, where + ": dtype " + name + " is not supported (Basalt reads "
                    + Arrays.toString(SafetensorsDType.values()) + "; sub-byte and 8-bit floats and C64 are refused)");
        }
        throw fail(source, where + ": unknown dtype " + quote(name) + " (one of "
                + Arrays.toString(SafetensorsDType.values()) + " expected)");
    }

    /** An array of non-negative integers that fit a long; of {@code length} elements unless it is -1. */
    private static long[] integers(String source, String where, String key, JsonNode node, int length) {
        if (node == null) throw fail(source, where + " has no \"" + key + "\"");
        if (!node.isArray()) throw fail(source, where + ": " + key + " is " + describe(node) + ", an array expected");
        if (length >= 0 && node.size() != length) {
            throw fail(source, where + ": " + key + " has " + node.size() + " elements, " + length + " expected");
        }
        long[] values = new long[node.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode v = node.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
                throw fail(source, where + ": " + key + "[" + i + "] is " + describe(v)
                        + ", an integer from 0 to 2^63-1 expected");
            }
            values[i] = v.longValue();
        }
        return values;
    }

    private static void checkCoverage(String source, List<SafetensorsTensorInfo> tensors, long bufferSize) {
        long expected = 0;
        for (SafetensorsTensorInfo t : tensors) {
            if (t.end() > bufferSize) {
                throw fail(source, "tensor " + quote(t.name()) + " data [" + t.begin() + ", " + t.end()
                        + ") extends beyond the end of the file: the byte buffer after the header is " + bufferSize
                        + " bytes");
            }
            if (t.begin() < expected) {
                throw fail(source, "tensor " + quote(t.name()) + " data [" + t.begin() + ", " + t.end()
                        + ") overlaps the previous tensor's, which ends at " + expected);
            }
            if (t.begin() > expected) {
                throw fail(source, "hole in the byte buffer: bytes [" + expected + ", " + t.begin()
                        + ") belong to no tensor (the next, " + quote(t.name()) + ", starts at " + t.begin() + ")");
            }
            expected = t.end();
        }
        if (expected != bufferSize) {
            throw fail(source, "the tensors cover " + expected + " bytes of the " + bufferSize
                    + "-byte buffer after the header; the rest belongs to no tensor");
        }
    }

    private static String describe(JsonNode node) {
        return switch (node.getNodeType()) {
            case STRING -> "the string " + quote(node.textValue());
            case NUMBER -> "the number " + (node.asText().length() > 40 ? node.asText().substring(0, 40) + "..."
                    : node.asText());
            case BOOLEAN -> "the boolean " + node.asText();
            case NULL -> "null";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            default -> node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    static SafetensorsFormatException fail(String source, String problem) {
        return new SafetensorsFormatException(source + ": " + problem);
    }
}

package ai.basalt.format.gguf;

import static ai.basalt.format.gguf.GgufFormatException.quote;

import ai.basalt.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Parses a GGUF file's header, metadata and tensor infos field by field in the order of ggml
 * {@code docs/gguf.md}, checking every invariant the spec states: magic, version, counts the file can hold,
 * known value and tensor types, bools of 0 or 1, key and tensor name lengths, a power-of-two alignment, at
 * most 4 positive dimensions, sizes that do not overflow, aligned tensor offsets whose data lies inside the file.
 */
final class GgufReader {
    /** {@code "GGUF"} (0x47 0x47 0x55 0x46) read as a little-endian uint32. */
    static final int MAGIC = 0x46554747;
    static final long DEFAULT_ALIGNMENT = 32;
    /** Alignments are powers of two that fit the spec's uint32. */
    static final long MAX_ALIGNMENT = 1L << 31;
    /** The spec limits keys to 2^16-1 bytes. */
    static final int MAX_KEY_BYTES = 65_535;
    /** The spec limits tensor names to 64 bytes. */
    static final int MAX_TENSOR_NAME_BYTES = 64;
    /** Nested arrays are legal; a bound keeps a hostile file from exhausting the stack. */
    static final int MAX_ARRAY_DEPTH = 32;

    /** Key length, value type and the smallest value. */
    private static final int MIN_KV_BYTES = 8 + 4 + 1;
    /** Name length, dimension count, one dimension, type, offset. */
    private static final int MIN_TENSOR_INFO_BYTES = 8 + 4 + 8 + 4 + 8;

    /** What the reader found before the tensor data. */
    record Header(int version, GgufMetadata metadata, List<GgufTensorInfo> tensors, long alignment, long dataOffset) {}

    private GgufReader() {}

    /** Reads the file in {@code data}; {@code source} names it in messages. */
    static Header read(String source, MemorySegment data) {
        GgufInput in = new GgufInput(source, data);
        if (data.byteSize() == 0) throw in.fail("not a GGUF file (the file is empty)");
        // gguf_header_t
        in.context("header");
        int magic = in.i32("magic");
        if (magic != MAGIC) {
            throw in.fail(String.format("not a GGUF file (magic 0x%08x expected, found 0x%08x)", MAGIC, magic));
        }
        int version = in.i32("version");
        checkVersion(in, version);
        long tensorCount = in.count("tensor count", MIN_TENSOR_INFO_BYTES);
        long kvCount = in.count("metadata kv count", MIN_KV_BYTES);
        GgufMetadata metadata = readMetadata(in, kvCount);
        long alignment = alignment(in, metadata);
        // gguf_tensor_info_t tensor_infos[tensor_count]
        List<GgufTensorInfo> tensors = readTensorInfos(in, tensorCount, alignment);
        // uint8_t _padding[], then tensor_data
        in.context("");
        long dataOffset = alignUp(in.position(), alignment);
        checkTensorData(in, tensors, dataOffset);
        return new Header(version, metadata, List.copyOf(tensors), alignment, dataOffset);
    }

    /** {@code position} rounded up to a multiple of {@code alignment}, a power of two. */
    static long alignUp(long position, long alignment) {
        return Math.addExact(position, alignment - 1) & -alignment;
    }

    private static void checkVersion(GgufInput in, int version) {
        if (version == 2 || version == 3) return;
        if (version == 1) {
            throw in.fail("GGUF version 1 is not supported (its counts are 32-bit; versions 2 and 3 are read)");
        }
        int swapped = Integer.reverseBytes(version);
        if (swapped >= 1 && swapped <= 3) {
            throw in.fail(String.format("big-endian GGUF file (version reads 0x%08x, which is %d byte-swapped); "
                    + "only little-endian files are supported", version, swapped));
        }
        throw in.fail("unsupported GGUF version " + Integer.toUnsignedString(version) + " (2 or 3 expected)");
    }

    // gguf_metadata_kv_t metadata_kv[metadata_kv_count]
    private static GgufMetadata readMetadata(GgufInput in, long kvCount) {
        GgufMetadata.Builder builder = GgufMetadata.builder().source(in.source());
        for (long i = 0; i < kvCount; i++) {
            in.context("metadata entry " + i);
            String key = in.string("key", MAX_KEY_BYTES);
            if (builder.contains(key)) throw in.fail("duplicate metadata key " + quote(key));
            in.context("metadata key " + quote(key));
            GgufValueType type = valueType(in, "value type");
            builder.add(key, type, readValue(in, type, 0));
        }
        return builder.build();
    }

    private static GgufValueType valueType(GgufInput in, String what) {
        int id = in.i32(what);
        if (!GgufValueType.known(id)) {
            throw in.fail("unknown " + what + " id " + Integer.toUnsignedString(id) + " (0 to 12 expected)");
        }
        return GgufValueType.fromId(id);
    }

    // gguf_metadata_value_t, boxed as GgufValueType documents
    private static Object readValue(GgufInput in, GgufValueType type, int depth) {
        return switch (type) {
            case UINT8, INT8 -> in.i8(type.name());
            case UINT16, INT16 -> in.i16(type.name());
            case UINT32, INT32 -> in.i32(type.name());
            case UINT64, INT64 -> in.i64(type.name());
            case FLOAT32 -> in.f32(type.name());
            case FLOAT64 -> in.f64(type.name());
            case BOOL -> in.bool(type.name());
            case STRING -> in.string("string", GgufInput.MAX_ARRAY_LENGTH);
            case ARRAY -> readArray(in, depth + 1);
        };
    }

    private static GgufArray readArray(GgufInput in, int depth) {
        if (depth > MAX_ARRAY_DEPTH) throw in.fail("arrays nested deeper than " + MAX_ARRAY_DEPTH + " levels");
        GgufValueType type = valueType(in, "array element type");
        int n = in.arrayLength("array length", type.minBytes());
        if (type.fixedSize()) return GgufArray.wrap(type, in.fixedSizeArray(type, n, "array of " + n + " " + type));
        Object[] elements = (Object[]) in.allocate(type, n);
        for (int i = 0; i < n; i++) elements[i] = readValue(in, type, depth);
        return GgufArray.wrap(type, elements);
    }

    private static long alignment(GgufInput in, GgufMetadata metadata) {
        String key = MetadataKey.GENERAL_ALIGNMENT.key();
        if (!metadata.contains(key)) return DEFAULT_ALIGNMENT;
        in.context("metadata key " + quote(key));
        long alignment = metadata.getLong(key);
        if (alignment <= 0 || alignment > MAX_ALIGNMENT || Long.bitCount(alignment) != 1) {
            throw in.fail("alignment " + alignment + " is not a power of two between 1 and 2^31");
        }
        return alignment;
    }

    private static List<GgufTensorInfo> readTensorInfos(GgufInput in, long tensorCount, long alignment) {
        List<GgufTensorInfo> tensors = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (long i = 0; i < tensorCount; i++) {
            in.context("tensor info " + i);
            String name = in.string("tensor name", MAX_TENSOR_NAME_BYTES);
            if (!names.add(name)) throw in.fail("duplicate tensor name " + quote(name));
            in.context("tensor " + quote(name));
            int dimCount = in.i32("dimension count");
            if (dimCount < 1 || dimCount > GgufTensorInfo.MAX_DIMS) {
                throw in.fail("dimension count " + Integer.toUnsignedString(dimCount) + ", 1 to "
                        + GgufTensorInfo.MAX_DIMS + " expected");
            }
            long[] dims = new long[dimCount];
            for (int d = 0; d < dimCount; d++) {
                dims[d] = in.i64("dimension");
                if (dims[d] <= 0) {
                    throw in.fail("dimension " + d + " is " + Long.toUnsignedString(dims[d]) + ", 1 to 2^63-1 expected");
                }
            }
            int typeId = in.i32("tensor type");
            DType type = DType.fromGgmlId(typeId);
            if (type == null) throw in.fail("unknown tensor type id " + Integer.toUnsignedString(typeId));
            long offset = in.i64("data offset");
            if (offset < 0 || offset % alignment != 0) {
                throw in.fail("data offset " + Long.toUnsignedString(offset) + " is not a multiple of the alignment "
                        + alignment);
            }
            tensors.add(tensorInfo(in, name, type, dims, offset));
        }
        return tensors;
    }

    private static GgufTensorInfo tensorInfo(GgufInput in, String name, DType type, long[] dims, long offset) {
        try {
            return new GgufTensorInfo(name, type, dims, offset);
        } catch (ArithmeticException e) {
            throw in.fail("size of " + type + " " + Arrays.toString(dims) + " overflows a long");
        } catch (IllegalArgumentException e) {
            throw in.fail(type + " " + Arrays.toString(dims) + ": " + e.getMessage());
        }
    }

    private static void checkTensorData(GgufInput in, List<GgufTensorInfo> tensors, long dataOffset) {
        long dataBytes = in.size() - dataOffset;
        for (GgufTensorInfo t : tensors) {
            long size = t.byteSize();
            if (dataBytes < 0 || size > dataBytes || t.offset() > dataBytes - size) {
                throw in.fail("tensor " + quote(t.name()) + " (" + t.type() + " " + Arrays.toString(t.dims()) + ", "
                        + size + " bytes at data offset " + t.offset() + ") extends beyond the end of the file: "
                        + "the data section starts at " + dataOffset + " and the file ends at " + in.size());
            }
        }
    }
}

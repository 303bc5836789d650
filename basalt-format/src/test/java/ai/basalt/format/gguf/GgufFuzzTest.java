package ai.basalt.format.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import ai.basalt.tensor.Tensor;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Mutations of a small valid file (byte flips, truncations, insertions, deletions, and integers written over
 * the header's fields) either open cleanly, and then every tensor view and metadata value is in bounds, or fail
 * with a {@link GgufFormatException} naming the file: never any other throwable, never a hang.
 *
 * <p>The random mutations come from a {@link SplittableRandom} seeded with {@value #DEFAULT_SEED}, or with
 * {@code -Dbasalt.test.seed=N}; a failure names the case and the seed, so the same run reproduces it.
 */
class GgufFuzzTest {
    private static final long DEFAULT_SEED = 0x6775_6666_757A_7AL;
    private static final long SEED = Long.getLong("basalt.test.seed", DEFAULT_SEED);
    private static final int TRIES = 12_000;

    private static final byte[] BASE = GgufTestFiles.bytesOf(GgufTestFiles.withSampleTensors(GgufTestFiles.everyType(), 11));
    private static final List<Field> FIELDS = fields(BASE);
    /** Values written over numeric fields: bounds of each width, sizes around the file's, and the file's length. */
    private static final long[] INTERESTING = {0L, 1L, 2L, 3L, 4L, 5L, 8L, 12L, 13L, 31L, 32L, 33L, 63L, 64L, 65L,
        255L, 256L, 65_535L, 65_536L, 0x7FFF_FFFFL, 0x8000_0000L, 0xFFFF_FFFFL, 1L << 32, 1L << 60,
        Long.MAX_VALUE, Long.MIN_VALUE, -1L, (long) BASE.length};

    /** A numeric field of the base file: where it is and how wide. */
    record Field(int offset, int width) {}

    sealed interface Mutation {
        byte[] apply(byte[] file);
    }

    record Flip(int position, int mask) implements Mutation {
        public byte[] apply(byte[] file) {
            if (file.length == 0) return file;
            byte[] out = file.clone();
            out[position % out.length] ^= (byte) (mask | 1);
            return out;
        }
    }

    record Truncate(int length) implements Mutation {
        public byte[] apply(byte[] file) {
            return Arrays.copyOf(file, file.length == 0 ? 0 : length % file.length);
        }
    }

    record Insert(int position, byte[] bytes) implements Mutation {
        @Override
        public String toString() {
            return "Insert[position=" + position + ", bytes=" + HexFormat.of().formatHex(bytes) + "]";
        }

        public byte[] apply(byte[] file) {
            int at = file.length == 0 ? 0 : position % file.length;
            byte[] out = new byte[file.length + bytes.length];
            System.arraycopy(file, 0, out, 0, at);
            System.arraycopy(bytes, 0, out, at, bytes.length);
            System.arraycopy(file, at, out, at + bytes.length, file.length - at);
            return out;
        }
    }

    record Delete(int position, int count) implements Mutation {
        public byte[] apply(byte[] file) {
            if (file.length == 0) return file;
            int at = position % file.length;
            int n = Math.min(count, file.length - at);
            byte[] out = new byte[file.length - n];
            System.arraycopy(file, 0, out, 0, at);
            System.arraycopy(file, at + n, out, at, file.length - at - n);
            return out;
        }
    }

    record OverwriteField(int field, long value) implements Mutation {
        public byte[] apply(byte[] file) {
            Field f = FIELDS.get(field % FIELDS.size());
            if (f.offset() + f.width() > file.length) return file;
            byte[] out = file.clone();
            ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
            switch (f.width()) {
                case 1 -> b.put(f.offset(), (byte) value);
                case 2 -> b.putShort(f.offset(), (short) value);
                case 4 -> b.putInt(f.offset(), (int) value);
                default -> b.putLong(f.offset(), value);
            }
            return out;
        }
    }

    @Test
    void mutatedFilesOpenCleanlyOrFailWithGgufFormatException() {
        SplittableRandom cases = new SplittableRandom(SEED);
        int opened = 0;
        int rejected = 0;
        for (int i = 0; i < TRIES; i++) {
            List<Mutation> mutations = mutations(cases.split());
            if (opensOrIsRejected("random case " + i + " of " + TRIES + " (" + seedNote() + ")", mutations)) {
                opened++;
            } else {
                rejected++;
            }
        }
        // Both outcomes must be common, or the mutations are too mild or too destructive to test anything.
        assertThat(100.0 * opened / TRIES).as("%% of %d mutated files opened (%s)", TRIES, seedNote()).isGreaterThan(5);
        assertThat(100.0 * rejected / TRIES).as("%% of %d mutated files rejected (%s)", TRIES, seedNote())
                .isGreaterThan(30);
    }

    /**
     * The edge cases, every one: each numeric field overwritten with each interesting value, the file cut at each
     * length, each byte flipped, one and sixteen bytes deleted and sixteen 0xFF bytes inserted at each position.
     */
    @Test
    void everySingleEdgeMutationOpensCleanlyOrFailsWithGgufFormatException() {
        List<Mutation> edges = new ArrayList<>();
        for (int f = 0; f < FIELDS.size(); f++) {
            for (long value : INTERESTING) edges.add(new OverwriteField(f, value));
        }
        byte[] ones = new byte[16];
        Arrays.fill(ones, (byte) 0xFF);
        for (int p = 0; p < BASE.length; p++) {
            edges.add(new Truncate(p));
            edges.add(new Flip(p, 0xFF));
            edges.add(new Delete(p, 1));
            edges.add(new Delete(p, 16));
            edges.add(new Insert(p, ones));
        }
        edges.add(new Insert(BASE.length, ones));
        int opened = 0;
        for (int i = 0; i < edges.size(); i++) {
            if (opensOrIsRejected("edge case " + i + " of " + edges.size(), List.of(edges.get(i)))) opened++;
        }
        assertThat(opened).as("edge mutations that opened").isPositive().isLessThan(edges.size());
    }

    /**
     * Applies {@code mutations} to the base file and reads the result: true if it opened (and every read of it
     * was in bounds), false if it was rejected with a one-line {@link GgufFormatException} naming the file.
     * Anything else fails, naming {@code label} and the mutations.
     */
    private static boolean opensOrIsRejected(String label, List<Mutation> mutations) {
        byte[] file = BASE;
        try {
            for (Mutation m : mutations) file = m.apply(file);
            GgufFile gguf;
            try {
                gguf = GgufTestFiles.read("fuzz.gguf", file);
            } catch (GgufFormatException e) {
                assertThat(e.getMessage()).startsWith("fuzz.gguf: ").doesNotContain("\n", "\r");
                return false;
            }
            try (gguf) {
                exercise(gguf, file.length);
            }
            return true;
        } catch (Throwable t) {
            throw new AssertionError(label + ": mutations " + mutations + " of the " + BASE.length
                    + "-byte base file gave a " + file.length + "-byte file that failed with " + t, t);
        }
    }

    private static String seedNote() {
        return "seed " + SEED + ", rerun with -Dbasalt.test.seed=" + SEED;
    }

    /** One to four mutations, weighted 3 flip : 1 truncate : 1 insert : 1 delete : 4 overwrite. */
    private static List<Mutation> mutations(SplittableRandom r) {
        int n = between(r, 1, 4);
        List<Mutation> mutations = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int kind = r.nextInt(10);
            mutations.add(kind < 3 ? new Flip(position(r), between(r, 0, 255))
                    : kind < 4 ? new Truncate(position(r))
                    : kind < 5 ? new Insert(position(r), bytes(r, between(r, 0, 16)))
                    : kind < 6 ? new Delete(position(r), between(r, 1, 16))
                    : new OverwriteField(between(r, 0, FIELDS.size() - 1), value(r)));
        }
        return mutations;
    }

    private static int position(SplittableRandom r) {
        return between(r, 0, BASE.length * 2);
    }

    /** Weighted 3 interesting : 1 any long : 1 in {@code [0, 2 * base length]}. */
    private static long value(SplittableRandom r) {
        int kind = r.nextInt(5);
        if (kind < 3) return INTERESTING[r.nextInt(INTERESTING.length)];
        if (kind < 4) return r.nextLong();
        return r.nextLong(BASE.length * 2L + 1);
    }

    private static byte[] bytes(SplittableRandom r, int n) {
        byte[] bytes = new byte[n];
        for (int i = 0; i < n; i++) {
            int kind = r.nextInt(8);
            bytes[i] = kind == 0 ? 0 : kind == 1 ? (byte) 0xFF : kind == 2 ? (byte) 0x80 : kind == 3 ? 0x7F
                    : (byte) r.nextInt(256);
        }
        return bytes;
    }

    /**
     * An int in {@code [min, max]}: now and then an end of the range, often a small offset from {@code min}, else
     * uniform, so that both the ends and the whole range are tried.
     */
    private static int between(SplittableRandom r, int min, int max) {
        int kind = r.nextInt(16);
        if (kind == 0) return min;
        if (kind == 1) return max;
        if (kind < 5) return (int) Math.min(max, min + r.nextLong(1L << r.nextInt(1, 9)));
        return r.nextInt(min, max + 1);
    }

    /** Reads every tensor's bytes and every metadata value; anything but an in-bounds read fails the property. */
    private static void exercise(GgufFile gguf, long fileSize) {
        for (GgufTensorInfo info : gguf.tensors()) {
            assertThat(gguf.dataOffset() + info.offset() + info.byteSize()).isLessThanOrEqualTo(fileSize);
            Tensor t = gguf.tensor(info.name());
            assertThat(t.data().toArray(ValueLayout.JAVA_BYTE)).hasSize(Math.toIntExact(info.byteSize()));
        }
        GgufMetadata metadata = gguf.metadata();
        for (String key : metadata.keys()) {
            Object raw = metadata.raw(key);
            switch (metadata.type(key)) {
                case STRING -> assertThat(metadata.getString(key)).isSameAs(raw);
                case BOOL -> metadata.getBool(key);
                case FLOAT32, FLOAT64 -> metadata.getDouble(key);
                case UINT64 -> {
                    if ((Long) raw >= 0) metadata.getLong(key);
                }
                case ARRAY -> walk((GgufArray) raw);
                default -> metadata.getLong(key);
            }
        }
        assertThat(metadata.toString()).doesNotContain("\n");
        assertThat(gguf.toString()).contains("fuzz.gguf");
    }

    private static void walk(GgufArray array) {
        for (int i = 0; i < array.size(); i++) {
            if (array.get(i) instanceof GgufArray inner) walk(inner);
        }
        assertThat(java.lang.reflect.Array.getLength(array.toArray())).isEqualTo(array.size());
    }

    /** The offsets and widths of the base file's numeric fields: counts, lengths, types, values, dims, offsets. */
    private static List<Field> fields(byte[] file) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).position(4);
        List<Field> fields = new ArrayList<>();
        field(b, fields, 4);
        long tensors = field(b, fields, 8);
        long kvs = field(b, fields, 8);
        for (long i = 0; i < kvs; i++) {
            string(b, fields);
            value(b, fields, GgufValueType.fromId((int) field(b, fields, 4)));
        }
        for (long i = 0; i < tensors; i++) {
            string(b, fields);
            long dims = field(b, fields, 4);
            for (long d = 0; d < dims; d++) field(b, fields, 8);
            field(b, fields, 4);
            field(b, fields, 8);
        }
        return List.copyOf(fields);
    }

    private static void value(ByteBuffer b, List<Field> fields, GgufValueType type) {
        switch (type) {
            case STRING -> string(b, fields);
            case ARRAY -> {
                GgufValueType element = GgufValueType.fromId((int) field(b, fields, 4));
                long n = field(b, fields, 8);
                for (long i = 0; i < n; i++) value(b, fields, element);
            }
            default -> field(b, fields, type.minBytes());
        }
    }

    private static void string(ByteBuffer b, List<Field> fields) {
        long length = field(b, fields, 8);
        b.position(b.position() + (int) length);
    }

    private static long field(ByteBuffer b, List<Field> fields, int width) {
        fields.add(new Field(b.position(), width));
        return switch (width) {
            case 1 -> b.get();
            case 2 -> b.getShort();
            case 4 -> Integer.toUnsignedLong(b.getInt());
            default -> b.getLong();
        };
    }
}

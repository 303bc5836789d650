package ai.basalt.format.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import ai.basalt.tensor.Tensor;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;

/**
 * Mutations of a small valid file (byte flips, truncations, insertions, deletions, and integers written over
 * the header's fields) either open cleanly, and then every tensor view and metadata value is in bounds, or fail
 * with a {@link GgufFormatException} naming the file: never any other throwable, never a hang.
 */
class GgufFuzzTest {
    private static final byte[] BASE = GgufTestFiles.bytesOf(GgufTestFiles.withSampleTensors(GgufTestFiles.everyType(), 11));
    private static final List<Field> FIELDS = fields(BASE);

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

    @Property(tries = 12_000)
    @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
    void mutatedFilesOpenCleanlyOrFailWithGgufFormatException(@ForAll("mutations") List<Mutation> mutations) {
        // Both outcomes must be common, or the mutations are too mild or too destructive to test anything.
        Statistics.coverage(c -> {
            c.check("opened").percentage(p -> p > 5);
            c.check("rejected").percentage(p -> p > 30);
        });
        byte[] file = BASE;
        for (Mutation m : mutations) file = m.apply(file);
        GgufFile gguf;
        try {
            gguf = GgufTestFiles.read("fuzz.gguf", file);
        } catch (GgufFormatException e) {
            assertThat(e.getMessage()).startsWith("fuzz.gguf: ").doesNotContain("\n", "\r");
            Statistics.collect("rejected");
            return;
        }
        try (gguf) {
            exercise(gguf, file.length);
        }
        Statistics.collect("opened");
    }

    @Provide
    Arbitrary<List<Mutation>> mutations() {
        Arbitrary<Integer> position = Arbitraries.integers().between(0, BASE.length * 2);
        Arbitrary<Long> interesting = Arbitraries.of(0L, 1L, 2L, 3L, 4L, 5L, 8L, 12L, 13L, 31L, 32L, 33L, 63L, 64L, 65L,
                255L, 256L, 65_535L, 65_536L, 0x7FFF_FFFFL, 0x8000_0000L, 0xFFFF_FFFFL, 1L << 32, 1L << 60,
                Long.MAX_VALUE, Long.MIN_VALUE, -1L, (long) BASE.length);
        Arbitrary<Long> value = Arbitraries.frequencyOf(
                Tuple.of(3, interesting),
                Tuple.of(1, Arbitraries.longs()),
                Tuple.of(1, Arbitraries.longs().between(0, BASE.length * 2L)));
        Arbitrary<Mutation> flip = Combinators.combine(position, Arbitraries.integers().between(0, 255)).as(Flip::new);
        Arbitrary<Mutation> truncate = position.map(Truncate::new);
        Arbitrary<Mutation> insert = Combinators.combine(position, Arbitraries.bytes().array(byte[].class).ofMaxSize(16)).as(Insert::new);
        Arbitrary<Mutation> delete = Combinators.combine(position, Arbitraries.integers().between(1, 16)).as(Delete::new);
        Arbitrary<Mutation> overwrite = Combinators.combine(Arbitraries.integers().between(0, FIELDS.size() - 1), value)
                .as(OverwriteField::new);
        Arbitrary<Mutation> mutation = Arbitraries.frequencyOf(
                Tuple.of(3, flip), Tuple.of(1, truncate), Tuple.of(1, insert), Tuple.of(1, delete), Tuple.of(4, overwrite));
        return mutation.list().ofMinSize(1).ofMaxSize(4);
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

package ai.basalt.format.safetensors;

import static org.assertj.core.api.Assertions.assertThat;

import ai.basalt.tensor.Tensor;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Mutations of a small valid file either open cleanly, and then every tensor view is in bounds, or fail with a
 * {@link SafetensorsFormatException} naming the file: never any other throwable. Byte-level mutations (flips,
 * truncations, insertions, deletions, the header length overwritten) test the framing; text-level ones (a number
 * or a string of the JSON header replaced, a token deleted or doubled) reach the checks behind the JSON parser.
 *
 * <p>Cases come from a {@link SplittableRandom} seeded with {@value #DEFAULT_SEED}, or with
 * {@code -Dbasalt.test.seed=N}; a failure names the case and the seed, so the same run reproduces it.
 */
class SafetensorsFuzzTest {
    private static final long DEFAULT_SEED = 0x5AFE_7E45_0F0F_1234L;
    private static final long SEED = Long.getLong("basalt.test.seed", DEFAULT_SEED);
    private static final int TRIES = 8_000;

    private static final byte[] BASE = SafetensorsBytes.written(new SafetensorsWriter()
            .metadata("format", "pt").metadata("note", "fuzz base")
            .add("embed", SafetensorsDType.F32, new long[] {3, 4}, new byte[48])
            .add("norm", SafetensorsDType.BF16, new long[] {4}, new byte[8])
            .add("scale", SafetensorsDType.F16, new long[] {}, new byte[2])
            .add("ids", SafetensorsDType.I64, new long[] {2}, new byte[16])
            .add("mask", SafetensorsDType.BOOL, new long[] {1, 3}, new byte[] {1, 0, 1})
            .add("empty", SafetensorsDType.U8, new long[] {0, 7}, new byte[0])
            .add("deep", SafetensorsDType.I8, new long[] {1, 1, 1, 1, 2}, new byte[2]));
    private static final int HEADER_END = 8 + (int) ByteBuffer.wrap(BASE).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    private static final String[] NUMBERS = {"0", "1", "2", "7", "8", "48", "-1", "1.0", "1e3", "4294967296",
        "9223372036854775807", "9223372036854775808", "18446744073709551616", "00", "-0", "\"1\"", "null", "[]", "{}"};
    private static final String[] STRINGS = {"\"\"", "\"F32\"", "\"F8_E4M3\"", "\"U64\"", "\"f32\"", "\"embed\"",
        "\"__metadata__\"", "\"shape\"", "\"data_offsets\"", "\"dtype\"", "\"\\u0000\"", "\"\\ud800\"", "1", "[]"};

    @Test
    void mutatedFilesOpenCleanlyOrFailWithSafetensorsFormatException() {
        SplittableRandom cases = new SplittableRandom(SEED);
        int opened = 0;
        for (int i = 0; i < TRIES; i++) {
            SplittableRandom r = cases.split();
            List<String> applied = new ArrayList<>();
            byte[] file = BASE;
            int n = r.nextInt(4) == 0 ? 2 : 1;
            for (int m = 0; m < n; m++) file = mutate(r, file, applied);
            if (opensOrIsRejected("case " + i + " of " + TRIES + " (seed " + SEED + ", rerun with -Dbasalt.test.seed="
                    + SEED + "): " + applied, file)) {
                opened++;
            }
        }
        // Both outcomes must be common, or the mutations are too mild or too destructive to test anything.
        assertThat(100.0 * opened / TRIES).as("%% opened (seed %d)", SEED).isGreaterThan(2).isLessThan(70);
    }

    @Test
    void everyTruncationAndEveryFlippedByteIsHandled() {
        for (int p = 0; p < BASE.length; p++) {
            opensOrIsRejected("truncated to " + p, Arrays.copyOf(BASE, p));
            byte[] flipped = BASE.clone();
            flipped[p] ^= (byte) 0xFF;
            opensOrIsRejected("byte " + p + " flipped", flipped);
        }
    }

    private static byte[] mutate(SplittableRandom r, byte[] file, List<String> applied) {
        int kind = r.nextInt(10);
        int at = file.length == 0 ? 0 : r.nextInt(file.length + 1);
        switch (kind) {
            case 0, 1 -> {
                if (file.length == 0) return file;
                int p = Math.min(at, file.length - 1);
                int mask = 1 + r.nextInt(255);
                applied.add("flip " + p + " ^" + mask);
                byte[] out = file.clone();
                out[p] ^= (byte) mask;
                return out;
            }
            case 2 -> {
                applied.add("truncate " + at);
                return Arrays.copyOf(file, at);
            }
            case 3 -> {
                byte[] bytes = new byte[r.nextInt(1, 17)];
                r.nextBytes(bytes);
                applied.add("insert " + bytes.length + " bytes at " + at);
                return splice(file, at, 0, bytes);
            }
            case 4 -> {
                int count = Math.min(file.length - at, r.nextInt(1, 17));
                applied.add("delete " + count + " at " + at);
                return splice(file, at, count, new byte[0]);
            }
            case 5 -> {
                long[] lengths = {0, 1, 2, 7, 8, HEADER_END - 8 - 1, HEADER_END - 8 + 1, file.length, -1,
                    100_000_000, 100_000_001, r.nextLong()};
                long n = lengths[r.nextInt(lengths.length)];
                applied.add("header length " + n);
                if (file.length < 8) return file;
                byte[] out = file.clone();
                ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putLong(0, n);
                return out;
            }
            default -> {
                return mutateHeaderText(r, file, applied);
            }
        }
    }

    /** Replaces a number or a string token of the header, or deletes or doubles one, keeping the length field right. */
    private static byte[] mutateHeaderText(SplittableRandom r, byte[] file, List<String> applied) {
        if (file.length < 8) return file;
        long n = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        if (n < 0 || n > file.length - 8) return file;
        String header = new String(file, 8, (int) n, StandardCharsets.ISO_8859_1);
        List<int[]> tokens = tokens(header);
        if (tokens.isEmpty()) return file;
        int[] t = tokens.get(r.nextInt(tokens.size()));
        String token = header.substring(t[0], t[1]);
        String replacement = switch (r.nextInt(4)) {
            case 0 -> "";
            case 1 -> token + token;
            default -> token.startsWith("\"") ? STRINGS[r.nextInt(STRINGS.length)] : NUMBERS[r.nextInt(NUMBERS.length)];
        };
        applied.add("header token " + token + " -> " + replacement);
        String mutated = header.substring(0, t[0]) + replacement + header.substring(t[1]);
        byte[] body = Arrays.copyOfRange(file, 8 + (int) n, file.length);
        return SafetensorsBytes.file(mutated.getBytes(StandardCharsets.ISO_8859_1), body);
    }

    /** Start and end of each number and string literal in {@code header}. */
    private static List<int[]> tokens(String header) {
        List<int[]> tokens = new ArrayList<>();
        for (int i = 0; i < header.length(); i++) {
            char c = header.charAt(i);
            int start = i;
            if (c == '"') {
                i++;
                while (i < header.length() && header.charAt(i) != '"') i += header.charAt(i) == '\\' ? 2 : 1;
                tokens.add(new int[] {start, Math.min(i + 1, header.length())});
            } else if (c == '-' || Character.isDigit(c)) {
                while (i + 1 < header.length() && (Character.isDigit(header.charAt(i + 1)))) i++;
                tokens.add(new int[] {start, i + 1});
            }
        }
        return tokens;
    }

    private static byte[] splice(byte[] file, int at, int remove, byte[] insert) {
        byte[] out = new byte[file.length - remove + insert.length];
        System.arraycopy(file, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(file, at + remove, out, at + insert.length, file.length - at - remove);
        return out;
    }

    /** True if {@code file} opened and every view was in bounds, false if rejected properly; fails otherwise. */
    private static boolean opensOrIsRejected(String label, byte[] file) {
        try {
            SafetensorsFile f;
            try {
                f = SafetensorsBytes.read("fuzz.safetensors", file);
            } catch (SafetensorsFormatException e) {
                assertThat(e.getMessage()).startsWith("fuzz.safetensors: ").doesNotContain("\n", "\r");
                return false;
            }
            try (f) {
                long covered = 0;
                for (SafetensorsTensorInfo info : f.tensors()) {
                    assertThat(f.dataOffset() + info.end()).isLessThanOrEqualTo(file.length);
                    assertThat(f.bytes(info.name()).toArray(ValueLayout.JAVA_BYTE)).hasSize((int) info.byteSize());
                    covered += info.byteSize();
                    try {
                        Tensor t = f.tensor(info.name());
                        assertThat(t.data().byteSize()).isEqualTo(info.byteSize());
                    } catch (SafetensorsFormatException e) {
                        assertThat(e.getMessage()).startsWith("fuzz.safetensors: tensor ");
                    }
                }
                assertThat(f.dataOffset() + covered).isEqualTo(file.length);
            }
            return true;
        } catch (Throwable t) {
            throw new AssertionError(label + ": a " + file.length + "-byte file failed with " + t, t);
        }
    }
}

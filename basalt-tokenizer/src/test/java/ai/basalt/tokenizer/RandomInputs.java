package ai.basalt.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.IntPredicate;
import org.opentest4j.TestAbortedException;

/**
 * Seeded random inputs for this module's property tests, and the loop that checks a property on them.
 *
 * <p>Every property draws from a {@link SplittableRandom} seeded with {@value #DEFAULT_SEED}, or with
 * {@code -Dbasalt.test.seed=N}; a failure names the property, the case, the seed and the input, so rerunning with
 * that seed reproduces it.
 */
final class RandomInputs {
    static final long DEFAULT_SEED = 0x746F_6B65_6E73L;
    static final long SEED = Long.getLong("basalt.test.seed", DEFAULT_SEED);

    /** Code points at the UTF-8 and UTF-16 boundaries, and ones with a meaning to SentencePiece or Llama. */
    private static final int[] BOUNDARY_CODE_POINTS = {
        0x00, 0x09, 0x0A, 0x0D, 0x20, 0x7F, 0x80, 0xFF, 0x7FF, 0x800, 0x2580, 0x2582, 0xD7FF, 0xE000, 0xFEFF,
        0xFFFD, 0xFFFE, 0xFFFF, 0x10000, 0x1F999, 0x10FFFF
    };

    private RandomInputs() {}

    /** A property: throws (an assertion error, most often) when {@code input} breaks it. */
    @FunctionalInterface
    interface Check<T> {
        void accept(T input) throws Exception;
    }

    /**
     * Checks {@code property} on each of {@code edgeCases}, then on {@code tries} inputs from {@code generator},
     * each drawn from its own split of a random seeded with {@link #SEED} and the property's name. The first
     * failure fails the test, naming the case, the seed and the input; aborted tests stay aborted.
     */
    static <T> void forAll(String property, List<T> edgeCases, int tries, Function<SplittableRandom, T> generator,
            Check<T> check) {
        for (int i = 0; i < edgeCases.size(); i++) {
            checkOne(property + ": edge case " + i + " of " + edgeCases.size(), edgeCases.get(i), check);
        }
        SplittableRandom cases = random(property);
        for (int i = 0; i < tries; i++) {
            checkOne(property + ": random case " + i + " of " + tries + " (" + seedNote() + ")",
                    generator.apply(cases.split()), check);
        }
    }

    /** The random a property draws its cases from: {@link #SEED}, mixed with the property's name. */
    static SplittableRandom random(String property) {
        return new SplittableRandom(SEED ^ (long) property.hashCode() << 16);
    }

    static String seedNote() {
        return "seed " + SEED + ", rerun with -Dbasalt.test.seed=" + SEED;
    }

    private static <T> void checkOne(String label, T input, Check<T> check) {
        try {
            check.accept(input);
        } catch (TestAbortedException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(label + " failed for input " + describe(input) + ": " + t, t);
        }
    }

    /** {@code input} as a Java literal would write it: strings escaped, arrays listed. */
    static String describe(Object input) {
        return switch (input) {
            case String s -> quote(s);
            case byte[] b -> "bytes[" + b.length + "] " + HexFormat.ofDelimiter(" ").formatHex(b);
            case int[] a -> "int[" + a.length + "] " + Arrays.toString(a);
            case null -> "null";
            default -> input.toString();
        };
    }

    private static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
                out.append(c);
            } else {
                out.append(String.format("\\u%04X", (int) c));
            }
        }
        return out.append("\" (").append(s.length()).append(" chars)").toString();
    }

    /**
     * An int in {@code [min, max]}: now and then an end of the range, often a small offset from {@code min}, else
     * uniform, so that both the ends and the whole range are tried.
     */
    static int between(SplittableRandom r, int min, int max) {
        int kind = r.nextInt(16);
        if (kind == 0) return min;
        if (kind == 1) return max;
        if (kind < 5) return (int) Math.min(max, min + r.nextLong(1L << r.nextInt(1, 9)));
        return r.nextInt(min, max + 1);
    }

    /** A byte, uniform but for frequent 00, 7F, 80 and FF. */
    static byte anyByte(SplittableRandom r) {
        return switch (r.nextInt(8)) {
            case 0 -> 0;
            case 1 -> 0x7F;
            case 2 -> (byte) 0x80;
            case 3 -> (byte) 0xFF;
            default -> (byte) r.nextInt(256);
        };
    }

    /** Up to {@code maxSize} bytes of {@link #anyByte}. */
    static byte[] bytes(SplittableRandom r, int maxSize) {
        byte[] bytes = new byte[between(r, 0, maxSize)];
        for (int i = 0; i < bytes.length; i++) bytes[i] = anyByte(r);
        return bytes;
    }

    /** Byte arrays worth trying every time: empty, single bytes of each kind, runs of lead and continuation bytes. */
    static List<byte[]> byteEdgeCases(int maxSize) {
        byte[] continuations = new byte[maxSize];
        Arrays.fill(continuations, (byte) 0x80);
        byte[] leads = new byte[maxSize];
        Arrays.fill(leads, (byte) 0xF0);
        byte[] ones = new byte[maxSize];
        Arrays.fill(ones, (byte) 0xFF);
        byte[] llamas = new byte[maxSize];
        for (int i = 0; i < maxSize; i++) llamas[i] = (byte) new int[] {0xF0, 0x9F, 0xA6, 0x99}[i % 4];
        return List.of(new byte[0], new byte[] {0}, new byte[] {0x41}, new byte[] {(byte) 0x80},
                new byte[] {(byte) 0xC2}, new byte[] {(byte) 0xE2, (byte) 0x82}, new byte[] {(byte) 0xF4, (byte) 0x8F,
                    (byte) 0xBF, (byte) 0xBF}, new byte[] {(byte) 0xFF}, continuations, leads, ones, llamas);
    }

    /**
     * Up to 60 code points, weighted towards ASCII, whitespace and a few scripts, with some from the whole range;
     * never a surrogate, never U+2581 (SentencePiece's space), and only code points {@code allowed} accepts.
     */
    static String text(SplittableRandom r, IntPredicate allowed) {
        int n = between(r, 0, 60);
        StringBuilder s = new StringBuilder();
        while (s.codePointCount(0, s.length()) < n) {
            int cp = switch (r.nextInt(12)) {
                case 0, 1, 2, 3, 4 -> r.nextInt(0x20, 0x7F);
                case 5, 6 -> new int[] {0x20, 0x20, 0x09, 0x0A, 0x0D}[r.nextInt(5)];
                case 7 -> r.nextInt(0x00, 0x100);
                case 8 -> r.nextInt(0x4E00, 0xA000);
                case 9 -> r.nextInt(0x1F300, 0x1FB00);
                default -> r.nextInt(32) == 0
                        ? BOUNDARY_CODE_POINTS[r.nextInt(BOUNDARY_CODE_POINTS.length)]
                        : between(r, 0, Character.MAX_CODE_POINT);
            };
            if (!isSurrogate(cp) && cp != 0x2581 && allowed.test(cp)) s.appendCodePoint(cp);
        }
        return s.toString();
    }

    /** {@link #text(SplittableRandom, IntPredicate)} allowing every code point it can give. */
    static String text(SplittableRandom r) {
        return text(r, cp -> true);
    }

    /**
     * The texts {@link #text} should be checked on every time, among the ones {@code allowed} accepts: the empty
     * text, each boundary code point alone, surrogate pairs, and the longest texts of spaces, ASCII and
     * U+10FFFF.
     */
    static List<String> textEdgeCases(IntPredicate allowed) {
        List<String> texts = new ArrayList<>(List.of("", " ", "a", "  ", "\r\n", " a ", "a\u0000b",
                "\uD83E\uDD99", "\uDBFF\uDFFF", "\uD800\uDC00", "a\uD83E\uDD99b", "日本 🦙\t\n"));
        for (int cp : BOUNDARY_CODE_POINTS) texts.add(Character.toString(cp));
        texts.add(" ".repeat(60));
        texts.add("a".repeat(60));
        texts.add("~".repeat(60));
        texts.add(Character.toString(Character.MAX_CODE_POINT).repeat(60));
        texts.add("🦙 ".repeat(30));
        return texts.stream().filter(t -> t.codePoints().allMatch(allowed)).toList();
    }

    /**
     * Any string of up to 255 chars: ASCII, any UTF-16 char (lone surrogates among them), surrogate pairs of any
     * supplementary code point, and boundary code points.
     */
    static String anyString(SplittableRandom r) {
        int n = between(r, 0, 255);
        StringBuilder s = new StringBuilder();
        while (s.length() < n) {
            switch (r.nextInt(8)) {
                case 0, 1 -> s.append((char) r.nextInt(0x20, 0x7F));
                case 2, 3 -> s.append((char) between(r, 0, Character.MAX_VALUE));
                case 4 -> s.append((char) r.nextInt(Character.MIN_SURROGATE, Character.MAX_SURROGATE + 1));
                case 5 -> s.appendCodePoint(r.nextInt(Character.MIN_SUPPLEMENTARY_CODE_POINT,
                        Character.MAX_CODE_POINT + 1));
                case 6 -> s.appendCodePoint(BOUNDARY_CODE_POINTS[r.nextInt(BOUNDARY_CODE_POINTS.length)]);
                default -> s.append((char) r.nextInt(0x80, 0x800));
            }
        }
        return s.length() > n ? s.substring(0, n) : s.toString();
    }

    /** Strings {@link #anyString} should be checked on every time: lone, reversed and split surrogates among them. */
    static List<String> stringEdgeCases() {
        List<String> strings = new ArrayList<>(List.of("", "a", "\uD800", "\uDC00", "\uDBFF", "\uDFFF",
                "\uDC00\uD800", "a\uD800b", "\uD800\uD800\uDC00", "\uD83E\uDD99\uDD99", "\uDBFF\uDFFF"));
        for (int cp : BOUNDARY_CODE_POINTS) strings.add(Character.toString(cp));
        strings.add("\uD800".repeat(255));
        strings.add("\uFFFF".repeat(255));
        strings.add(Character.toString(Character.MAX_CODE_POINT).repeat(127) + "x");
        return strings;
    }

    private static boolean isSurrogate(int cp) {
        return cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE;
    }
}

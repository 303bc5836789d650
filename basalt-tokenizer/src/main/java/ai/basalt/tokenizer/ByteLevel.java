package ai.basalt.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * GPT-2's reversible map between bytes and printable characters ({@code bytes_to_unicode} in OpenAI's
 * {@code encoder.py}), under which byte-level BPE vocabularies store their tokens: the 188 bytes that are
 * printable Latin-1 characters ({@code !..~}, {@code ¡..¬}, {@code ®..ÿ}) stand for themselves, and the other 68
 * (controls, space, DEL, NBSP, soft hyphen) are shifted to U+0100.. in byte order, so a space reads {@code Ġ}
 * (U+0120) and a newline {@code Ċ} (U+010A). The characters' code-point order is the map's own order.
 */
public final class ByteLevel {
    /** (256) the character standing for each byte. */
    private static final char[] BYTE_TO_CHAR = new char[256];
    /** The byte each character U+0000..U+01FF stands for, or -1. */
    private static final short[] CHAR_TO_BYTE = new short[512];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, (short) -1);
        int shifted = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) (256 + shifted++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = (short) b;
        }
    }

    private ByteLevel() {}

    /** The character standing for byte {@code b} (only its low 8 bits count). */
    public static char charOf(int b) {
        return BYTE_TO_CHAR[b & 0xFF];
    }

    /** The byte character {@code c} stands for, or -1 if it stands for none. */
    public static int byteOf(int c) {
        return c >= 0 && c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
    }

    /** {@code bytes[from, to)} as byte-level text: one character per byte. */
    public static String encode(byte[] bytes, int from, int to) {
        char[] chars = new char[to - from];
        for (int i = from; i < to; i++) {
            chars[i - from] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        }
        return new String(chars);
    }

    /** All of {@code bytes} as byte-level text. */
    public static String encode(byte[] bytes) {
        return encode(bytes, 0, bytes.length);
    }

    /** The UTF-8 bytes of {@code text}, as byte-level text. */
    public static String encode(String text) {
        return encode(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The bytes byte-level text stands for. A character outside the map is kept as its UTF-8 bytes, as Hugging
     * Face's {@code ByteLevel} decoder keeps it, so decoding never fails.
     */
    public static byte[] decode(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int b = byteOf(cp);
            if (b >= 0) {
                out.write(b);
            } else {
                out.writeBytes(Character.toString(cp).getBytes(StandardCharsets.UTF_8));
            }
            i += Character.charCount(cp);
        }
        return out.toByteArray();
    }

    /** Whether every character of {@code text} stands for a byte. */
    public static boolean isByteLevel(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (byteOf(text.charAt(i)) < 0) {
                return false;
            }
        }
        return true;
    }
}

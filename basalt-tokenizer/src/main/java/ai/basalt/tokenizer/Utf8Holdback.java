package ai.basalt.tokenizer;

import java.util.Arrays;

/**
 * Bytes waiting to be decoded as UTF-8, handed out as text only up to a point where the rest of the stream
 * cannot change how they decode.
 *
 * <p>UTF-8 is self-synchronising: a decoder never lets a malformed or complete sequence reach past a byte
 * that is not a continuation byte ({@code 10xxxxxx}), so text cut just before such a byte decodes the same
 * whether or not the bytes after it are present. The only bytes held back are therefore those from the last
 * lead byte on, and only while they are a proper prefix of a valid sequence (RFC 3629, section 4); bytes
 * that can no longer form a character are released, to become U+FFFD as they would in a one-shot decode.
 *
 * <p>{@link #decode} is the one UTF-8 decoder of the package, so streaming and one-shot decoding agree byte
 * for byte: it replaces each maximal subpart of an ill-formed sequence by one U+FFFD (Unicode 15, section
 * 3.9, "U+FFFD Substitution of Maximal Subparts"; the WHATWG Encoding Standard's UTF-8 decoder), where the
 * JDK's decoder differs for encoded surrogates.
 */
final class Utf8Holdback {
    private byte[] buffer = new byte[16];
    private int length;

    void append(byte[] bytes, int offset, int count) {
        if (length + count > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + count));
        }
        System.arraycopy(bytes, offset, buffer, length, count);
        length += count;
    }

    /** Removes and decodes every byte that can no longer be completed by later bytes. */
    String takeComplete() {
        return take(completeLength());
    }

    /** Removes and decodes all bytes, an incomplete character becoming U+FFFD. */
    String takeAll() {
        return take(length);
    }

    private String take(int count) {
        if (count == 0) {
            return "";
        }
        String text = decode(buffer, 0, count);
        System.arraycopy(buffer, count, buffer, 0, length - count);
        length -= count;
        return text;
    }

    /** Decodes {@code bytes[from, to)}, each maximal ill-formed subpart becoming one U+FFFD. */
    static String decode(byte[] bytes, int from, int to) {
        StringBuilder text = new StringBuilder(to - from);
        int i = from;
        while (i < to) {
            int first = bytes[i] & 0xFF;
            int needed = sequenceLength(first);
            if (first < 0x80 || needed == 1) {
                text.append(first < 0x80 ? (char) first : '\uFFFD');
                i++;
                continue;
            }
            int codePoint = first & (0x7F >> needed);
            int have = 1;
            while (have < needed && i + have < to && fits(first, have, bytes[i + have] & 0xFF)) {
                codePoint = (codePoint << 6) | (bytes[i + have] & 0x3F);
                have++;
            }
            if (have == needed) {
                text.appendCodePoint(codePoint);
            } else {
                text.append('\uFFFD');
            }
            i += have;
        }
        return text.toString();
    }

    private int completeLength() {
        int lead = length - 1;
        while (lead >= 0 && isContinuation(buffer[lead])) {
            lead--;
        }
        return lead >= 0 && isProperPrefix(lead) ? lead : length;
    }

    /** Whether the bytes from {@code lead} to the end start a valid sequence that needs more bytes. */
    private boolean isProperPrefix(int lead) {
        int first = buffer[lead] & 0xFF;
        int needed = sequenceLength(first);
        int have = length - lead;
        if (have >= needed) {
            return false;
        }
        for (int i = lead + 1; i < length; i++) {
            if (!fits(first, i - lead, buffer[i] & 0xFF)) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code b} may stand at {@code position} (1..3) of a sequence starting with {@code first}. */
    private static boolean fits(int first, int position, int b) {
        return position == 1 ? b >= secondMin(first) && b <= secondMax(first) : isContinuation(b);
    }

    private static boolean isContinuation(int b) {
        return (b & 0xC0) == 0x80;
    }

    /** Bytes in a well-formed sequence starting with {@code first}; 1 for ASCII and bytes that start none. */
    private static int sequenceLength(int first) {
        if (first >= 0xC2 && first <= 0xDF) {
            return 2;
        }
        if (first >= 0xE0 && first <= 0xEF) {
            return 3;
        }
        if (first >= 0xF0 && first <= 0xF4) {
            return 4;
        }
        return 1;
    }

    // Second-byte ranges of well-formed sequences (Unicode Table 3-7): they exclude overlong forms,
    // surrogates and code points above U+10FFFF.
    private static int secondMin(int first) {
        return first == 0xE0 ? 0xA0 : first == 0xF0 ? 0x90 : 0x80;
    }

    private static int secondMax(int first) {
        return first == 0xED ? 0x9F : first == 0xF4 ? 0x8F : 0xBF;
    }
}

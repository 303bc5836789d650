package ai.basalt.generate.constrain;

import ai.basalt.format.gguf.TokenType;
import ai.basalt.tokenizer.ByteLevelBpeTokenizer;
import ai.basalt.tokenizer.TokenDecoder;
import ai.basalt.tokenizer.Tokenizer;
import ai.basalt.tokenizer.Vocabulary;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The bytes each token of a vocabulary writes when generated, arranged as a trie so that a constraint can walk
 * every token's bytes through the automaton at once, sharing the work for common prefixes and cutting a whole
 * subtree as soon as its prefix is rejected. Built once per tokenizer (a 128k vocabulary takes well under a
 * second); immutable and thread-safe.
 *
 * <p>Token bytes: byte-level BPE tokens are their exact bytes (a token may hold part of a UTF-8 character);
 * SentencePiece byte tokens ({@code <0xHH>}) their byte; other normal and user-defined tokens the UTF-8 of what
 * a continuation decoder renders for them alone ({@code ▁} as a space). Control, unknown, unused and empty tokens,
 * and tokens whose text alone is not whole UTF-8, can never be generated under a constraint (end tokens are
 * handled apart, by {@link GrammarConstraint}).
 *
 * <p>Trie layout (N nodes, node 0 the root): nodes are numbered breadth first, so the children of node n are
 * the contiguous run {@code [firstChild[n], firstChild[n + 1])}; {@code label[c]} is the byte leading into child c;
 * the tokens ending at node n are {@code tokens[tokenStart[n] .. tokenStart[n + 1])}.
 */
public final class TokenVocabulary {
    private final Vocabulary vocabulary;
    /** (V) the bytes of each token, or null where it can never be generated under a constraint. */
    private final byte[][] bytes;
    /** (N + 1) */
    final int[] firstChild;
    /** (N) */
    final byte[] label;
    /** (N + 1) */
    final int[] tokenStart;
    /** token ids by node */
    final int[] tokens;

    private TokenVocabulary(Vocabulary vocabulary, byte[][] bytes) {
        this.vocabulary = vocabulary;
        this.bytes = bytes;
        Integer[] order = new Integer[bytes.length];
        int n = 0;
        for (int id = 0; id < bytes.length; id++) if (bytes[id] != null) order[n++] = id;
        Integer[] sorted = Arrays.copyOf(order, n);
        Arrays.sort(sorted, (a, c) -> Arrays.compareUnsigned(bytes[a], bytes[c]));
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = sorted[i];
        Trie t = Trie.build(ids, bytes);
        this.firstChild = t.firstChild;
        this.label = t.label;
        this.tokenStart = t.tokenStart;
        this.tokens = t.tokens;
    }

    /** The vocabulary of {@code tokenizer}, with each token's bytes as {@code tokenizer} writes them. */
    public static TokenVocabulary of(Tokenizer tokenizer) {
        Vocabulary v = tokenizer.vocabulary();
        byte[][] bytes = new byte[v.size()][];
        for (int id = 0; id < bytes.length; id++) bytes[id] = tokenBytes(tokenizer, v, id);
        return new TokenVocabulary(v, bytes);
    }

    private static byte[] tokenBytes(Tokenizer tokenizer, Vocabulary v, int id) {
        TokenType type = v.types()[id];
        byte[] out = switch (type) {
            case NORMAL, USER_DEFINED -> {
                if (tokenizer instanceof ByteLevelBpeTokenizer bpe) yield bpe.tokenBytes(id);
                TokenDecoder decoder = tokenizer.newContinuationDecoder();
                String text = decoder.append(id) + decoder.flush();
                yield text.indexOf('\uFFFD') >= 0 ? null : text.getBytes(StandardCharsets.UTF_8);
            }
            case BYTE -> byteToken(v.tokens()[id]);
            case CONTROL, UNKNOWN, UNUSED, UNDEFINED -> null;
        };
        return out == null || out.length == 0 ? null : out;
    }

    /** The byte of a SentencePiece {@code <0xHH>} token, or null (byte-level BPE renders its BYTE tokens as nothing). */
    private static byte[] byteToken(String text) {
        if (text.length() != 6 || !text.startsWith("<0x") || !text.endsWith(">")
                || !HexFormat.isHexDigit(text.charAt(3)) || !HexFormat.isHexDigit(text.charAt(4))) {
            return null;
        }
        return new byte[] {(byte) HexFormat.fromHexDigits(text, 3, 5)};
    }

    public Vocabulary vocabulary() {
        return vocabulary;
    }

    /** The number of tokens, V. */
    public int size() {
        return bytes.length;
    }

    /** The bytes {@code token} writes, or null if it can never be generated under a constraint. */
    public byte[] bytes(int token) {
        vocabulary.checkToken(token);
        return bytes[token] == null ? null : bytes[token].clone();
    }

    byte[] bytesUnsafe(int token) {
        return bytes[token];
    }

    /** The number of trie nodes, for diagnostics. */
    public int nodeCount() {
        return label.length;
    }

    /** Breadth-first trie construction over tokens sorted by their bytes. */
    private record Trie(int[] firstChild, byte[] label, int[] tokenStart, int[] tokens) {
        static Trie build(int[] sorted, byte[][] bytes) {
            // Each queued node is the range [lo, hi) of sorted tokens sharing its prefix of length depth.
            int capacity = 1;
            for (int id : sorted) capacity += bytes[id].length;
            int[] lo = new int[capacity];
            int[] hi = new int[capacity];
            int[] depth = new int[capacity];
            byte[] label = new byte[capacity];
            int[] firstChild = new int[capacity + 1];
            int[] tokenStart = new int[capacity + 1];
            int[] tokens = new int[sorted.length];
            int count = 1;
            hi[0] = sorted.length;
            int placed = 0;
            for (int node = 0; node < count; node++) {
                int d = depth[node];
                int i = lo[node];
                tokenStart[node] = placed;
                while (i < hi[node] && bytes[sorted[i]].length == d) tokens[placed++] = sorted[i++];
                firstChild[node] = count;
                while (i < hi[node]) {
                    byte b = bytes[sorted[i]][d];
                    int j = i;
                    while (j < hi[node] && bytes[sorted[j]][d] == b) j++;
                    lo[count] = i;
                    hi[count] = j;
                    depth[count] = d + 1;
                    label[count] = b;
                    count++;
                    i = j;
                }
            }
            firstChild[count] = count;
            tokenStart[count] = placed;
            return new Trie(Arrays.copyOf(firstChild, count + 1), Arrays.copyOf(label, count),
                    Arrays.copyOf(tokenStart, count + 1), tokens);
        }
    }
}

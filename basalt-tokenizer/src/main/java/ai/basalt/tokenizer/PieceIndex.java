package ai.basalt.tokenizer;

import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/** Lookups the SentencePiece merge needs: text to id, merge scores and the byte-fallback tokens. */
final class PieceIndex {
    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    private final Map<String, Integer> ids;
    private final float[] scores;
    /** (256) token for each byte value, or -1. */
    private final int[] byteTokens = new int[256];
    private final int unk;
    /** Longest token text in UTF-16 units: no merge can make anything longer. */
    private final int maxChars;

    PieceIndex(Vocabulary vocabulary) {
        String[] tokens = vocabulary.tokens();
        ids = HashMap.newHashMap(tokens.length);
        int longest = 0;
        for (int id = 0; id < tokens.length; id++) {
            ids.put(tokens[id], id); // the highest id wins a repeated text, as in llama.cpp's token_to_id
            longest = Math.max(longest, tokens[id].length());
        }
        maxChars = longest;
        scores = vocabulary.scores();
        unk = vocabulary.unk();
        for (int b = 0; b < 256; b++) {
            // llama.cpp byte_to_token: "<0xHH>" with upper-case digits, else the byte itself as text
            int token = id("<0x" + HEX.toHexDigits((byte) b) + ">");
            if (token == -1 && b < 0x80) {
                token = id(String.valueOf((char) b));
            }
            byteTokens[b] = token;
        }
    }

    /** The id of {@code text}, or -1. */
    int id(String text) {
        Integer id = ids.get(text);
        return id == null ? -1 : id;
    }

    float score(int id) {
        return scores[id];
    }

    /** The token standing for byte {@code b} (0..255), or -1. */
    int byteToken(int b) {
        return byteTokens[b];
    }

    /** The unknown token, or -1. */
    int unk() {
        return unk;
    }

    int maxChars() {
        return maxChars;
    }
}

package ai.basalt.tokenizer;

import ai.basalt.format.gguf.GgufMetadata;
import ai.basalt.format.gguf.MetadataKey;
import ai.basalt.format.gguf.TokenType;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Objects;

/**
 * One token per character, the vocabulary being the sorted set of a corpus's characters, as nanoGPT's
 * {@code data/shakespeare_char/prepare.py} builds it ({@code chars = sorted(list(set(data)))}, {@code stoi} by
 * index). Characters are Unicode code points, sorted by code point as Python sorts one-character strings. There
 * are no special tokens; encoding a character outside the vocabulary throws, as nanoGPT's {@code stoi[c]} does.
 *
 * <p>File format ({@link #save}, {@link #load}): UTF-8 JSON
 * {@code {"format": "basalt-char-tokenizer", "version": 1, "chars": ["\n", " ", "!", ...]}}, token {@code i} being
 * the one code point of {@code chars[i]}. GGUF: see {@link #putGgufMetadata}.
 */
public final class CharTokenizer implements Tokenizer {
    /** The {@code format} field of the file format: its magic. */
    public static final String FORMAT = "basalt-char-tokenizer";
    public static final int VERSION = 1;

    private final Vocabulary vocabulary;
    /** (V) the code point of each token. */
    private final int[] codePoints;
    /** The code points sorted, and the token of each, for lookup by binary search. */
    private final int[] sortedCodePoints;
    private final int[] sortedIds;

    private CharTokenizer(int[] codePoints, String where) {
        this.codePoints = codePoints.clone();
        int n = codePoints.length;
        if (n == 0) {
            throw new IllegalArgumentException(where + ": a character vocabulary needs at least one character");
        }
        Integer[] order = new Integer[n];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (a, b) -> Integer.compare(codePoints[a], codePoints[b]));
        sortedCodePoints = new int[n];
        sortedIds = new int[n];
        String[] tokens = new String[n];
        for (int k = 0; k < n; k++) {
            int cp = codePoints[order[k]];
            if (!Character.isValidCodePoint(cp) || Character.isSurrogate((char) cp) && cp <= 0xFFFF) {
                throw new IllegalArgumentException(where + ": token " + order[k] + " is not a character: " + cp);
            }
            if (k > 0 && sortedCodePoints[k - 1] == cp) {
                throw new IllegalArgumentException(String.format("%s: character U+%04X appears twice (tokens %d and %d)",
                        where, cp, sortedIds[k - 1], order[k]));
            }
            sortedCodePoints[k] = cp;
            sortedIds[k] = order[k];
        }
        for (int id = 0; id < n; id++) {
            tokens[id] = Character.toString(codePoints[id]);
        }
        TokenType[] types = new TokenType[n];
        Arrays.fill(types, TokenType.NORMAL);
        this.vocabulary = new Vocabulary(tokens, new float[n], types, -1, -1, -1, -1, false, false, false);
    }

    /** The tokenizer of the sorted distinct characters of {@code corpus} (unpaired surrogates count as U+FFFD). */
    public static CharTokenizer fromCorpus(String corpus) {
        return new CharTokenizer(SentencePieceBpeTokenizer.replaceLoneSurrogates(corpus).codePoints()
                .distinct().sorted().toArray(), "corpus");
    }

    /** The tokenizer of the sorted distinct characters of a UTF-8 file, read as a stream (bad bytes: U+FFFD). */
    public static CharTokenizer fromCorpus(Path corpus) {
        BitSet seen = new BitSet(Character.MAX_CODE_POINT + 1);
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        try (Reader in = new BufferedReader(new java.io.InputStreamReader(Files.newInputStream(corpus), decoder))) {
            char[] buffer = new char[1 << 16];
            char pendingHigh = 0;
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                for (int i = 0; i < read; i++) {
                    char c = buffer[i];
                    if (pendingHigh != 0) {
                        seen.set(Character.isLowSurrogate(c) ? Character.toCodePoint(pendingHigh, c) : 0xFFFD);
                        pendingHigh = 0;
                        if (Character.isLowSurrogate(c)) continue;
                    }
                    if (Character.isHighSurrogate(c)) {
                        pendingHigh = c;
                    } else {
                        seen.set(Character.isSurrogate(c) ? 0xFFFD : c);
                    }
                }
            }
            if (pendingHigh != 0) seen.set(0xFFFD);
        } catch (IOException e) {
            throw new UncheckedIOException(corpus + ": cannot read corpus (" + e.getMessage() + ")", e);
        }
        return new CharTokenizer(seen.stream().toArray(), corpus.toString());
    }

    /** The tokenizer whose token {@code i} is {@code codePoints[i]}; code points must be distinct. */
    public static CharTokenizer of(int... codePoints) {
        return new CharTokenizer(codePoints, "code points");
    }

    /** The character tokenizer over {@code vocabulary}: every token one character, of type normal. */
    static CharTokenizer fromVocabulary(Vocabulary vocabulary, String where) {
        int[] cps = new int[vocabulary.size()];
        for (int id = 0; id < cps.length; id++) {
            String t = vocabulary.tokens()[id];
            if (t.isEmpty() || t.codePointCount(0, t.length()) != 1 || vocabulary.types()[id] != TokenType.NORMAL) {
                throw new TokenizerFormatException(where + ": token " + id + " '" + t + "' of type "
                        + vocabulary.types()[id] + " is not one character of type NORMAL, as a character vocabulary needs");
            }
            cps[id] = t.codePointAt(0);
        }
        try {
            return new CharTokenizer(cps, where);
        } catch (IllegalArgumentException e) {
            throw new TokenizerFormatException(e.getMessage());
        }
    }

    @Override
    public Vocabulary vocabulary() {
        return vocabulary;
    }

    /** (V) the code point of each token; a copy. */
    public int[] codePoints() {
        return codePoints.clone();
    }

    /** The token of code point {@code cp}, or -1. */
    public int id(int cp) {
        int k = Arrays.binarySearch(sortedCodePoints, cp);
        return k >= 0 ? sortedIds[k] : -1;
    }

    /** One token per character; the flags change nothing, as there are no special tokens. */
    @Override
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        String fixed = SentencePieceBpeTokenizer.replaceLoneSurrogates(text);
        int[] out = new int[fixed.codePointCount(0, fixed.length())];
        for (int i = 0, k = 0; i < fixed.length(); k++) {
            int cp = fixed.codePointAt(i);
            int id = id(cp);
            if (id < 0) {
                throw new IllegalArgumentException(String.format(
                        "character U+%04X at index %d is not in the vocabulary of %d characters", cp, i, codePoints.length));
            }
            out[k] = id;
            i += Character.charCount(cp);
        }
        return out;
    }

    @Override
    public String decode(int[] tokens, boolean removeSpecial, boolean unparseSpecial) {
        StringBuilder text = new StringBuilder(tokens.length);
        for (int token : tokens) {
            vocabulary.checkToken(token);
            text.appendCodePoint(codePoints[token]);
        }
        return text.toString();
    }

    /** Every token is a whole character, so nothing is ever held back. */
    @Override
    public TokenDecoder newStreamingDecoder() {
        return new TokenDecoder() {
            @Override
            public String append(int token) {
                vocabulary.checkToken(token);
                return Character.toString(codePoints[token]);
            }

            @Override
            public String flush() {
                return "";
            }
        };
    }

    @Override
    public TokenDecoder newContinuationDecoder() {
        return newStreamingDecoder();
    }

    /**
     * Puts the vocabulary as a SentencePiece ({@code llama}) one of single-character pieces, spaces written as
     * U+2581, with no scores to merge by, no BOS/EOS and no space prefix: llama.cpp then tokenizes character by
     * character. {@code tokenizer.ggml.pre = basalt-char} lets {@link GgufTokenizers#load} rebuild this class.
     * Caveats, both llama.cpp's: it gives SentencePiece vocabularies without BOS/EOS ids its defaults 1 and 2, so
     * it stops generating at token 2 unless told to ignore EOS; and it reads GGUF strings as C strings, so a U+0000
     * token becomes {@code [EMPTY_i]} there and the character cannot be tokenized by llama.cpp.
     *
     * @throws IllegalStateException if the vocabulary holds U+2581 itself, which SentencePiece reads as a space
     */
    @Override
    public GgufMetadata.Builder putGgufMetadata(GgufMetadata.Builder metadata) {
        if (id(SentencePieceBpeTokenizer.SPACE_ESCAPE) >= 0) {
            throw new IllegalStateException("the vocabulary holds U+2581, which a GGUF SentencePiece vocabulary "
                    + "reads as a space: it cannot be written as GGUF");
        }
        String[] texts = Arrays.stream(vocabulary.tokens())
                .map(t -> t.replace(' ', SentencePieceBpeTokenizer.SPACE_ESCAPE)).toArray(String[]::new);
        metadata.putString(MetadataKey.TOKENIZER_MODEL.key(), GgufTokenizers.MODEL_SPM)
                .putString(MetadataKey.TOKENIZER_PRE.key(), GgufTokenizers.PRE_CHAR);
        GgufTokenizers.putTokens(metadata, texts, vocabulary, true);
        GgufTokenizers.putSpecialIds(metadata, vocabulary);
        return metadata.putBool(MetadataKey.TOKENIZER_ADD_SPACE_PREFIX.key(), false);
    }

    /** Writes the file format described above. */
    public void save(Path file) {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = json.createObjectNode().put("format", FORMAT).put("version", VERSION);
        ArrayNode chars = root.putArray("chars");
        for (String token : vocabulary.tokens()) chars.add(token);
        try {
            Files.writeString(file, json.writeValueAsString(root) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write character tokenizer (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Reads the file format described above.
     *
     * @throws TokenizerFormatException naming the file if it is not such a file
     */
    public static CharTokenizer load(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readString(file, StandardCharsets.UTF_8));
        } catch (JacksonException e) {
            throw new TokenizerFormatException(file + ": not JSON (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read character tokenizer (" + e.getMessage() + ")", e);
        }
        String format = root.path("format").asText(null);
        if (!FORMAT.equals(format)) {
            throw new TokenizerFormatException(file + ": format mismatch: actual=" + format + " vs expected=" + FORMAT);
        }
        int version = root.path("version").asInt(-1);
        if (version != VERSION) {
            throw new TokenizerFormatException(file + ": version mismatch: actual=" + root.path("version")
                    + " vs expected=" + VERSION);
        }
        JsonNode chars = root.path("chars");
        if (!chars.isArray()) {
            throw new TokenizerFormatException(file + ": 'chars' is " + chars.getNodeType() + ", expected an array");
        }
        int[] cps = new int[chars.size()];
        for (int i = 0; i < cps.length; i++) {
            String c = chars.get(i).isTextual() ? chars.get(i).asText() : "";
            if (c.isEmpty() || c.codePointCount(0, c.length()) != 1) {
                throw new TokenizerFormatException(file + ": chars[" + i + "] is " + chars.get(i)
                        + ", expected a string of one character");
            }
            cps[i] = c.codePointAt(0);
        }
        try {
            return new CharTokenizer(cps, file.toString());
        } catch (IllegalArgumentException e) {
            throw new TokenizerFormatException(e.getMessage());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CharTokenizer other && Arrays.equals(codePoints, other.codePoints);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(codePoints);
    }

    @Override
    public String toString() {
        return "CharTokenizer[" + codePoints.length + " characters]";
    }
}

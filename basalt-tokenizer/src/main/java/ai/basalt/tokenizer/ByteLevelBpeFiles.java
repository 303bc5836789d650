package ai.basalt.tokenizer;

import ai.basalt.format.gguf.TokenType;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The two files a byte-level BPE vocabulary ships as: OpenAI's {@code encoder.json} + {@code vocab.bpe} and Hugging
 * Face's {@code vocab.json} + {@code merges.txt}, which are the same formats.
 *
 * <ul>
 *   <li>{@code vocab.json}: a JSON object from byte-level token text to id; ids must be 0..V-1, each once.</li>
 *   <li>{@code merges.txt}: one merge per line, {@code "left right"}, by rank; an optional first line
 *       {@code #version: ...} and empty lines are skipped.</li>
 * </ul>
 * Neither file says which tokens are special: callers name them, and they become control tokens. The first one
 * named is taken as both BOS and EOS, as GPT-2's {@code <|endoftext|>} is, without being added by encode.
 */
public final class ByteLevelBpeFiles {
    /** GPT-2's one special token. */
    public static final String END_OF_TEXT = "<|endoftext|>";

    private ByteLevelBpeFiles() {}

    /**
     * A GPT-2 pre-tokenized tokenizer from the two files, {@value #END_OF_TEXT} being special where the vocabulary
     * has it.
     */
    public static ByteLevelBpeTokenizer read(Path vocabJson, Path merges) {
        Map<String, Integer> ids = readVocabJson(vocabJson);
        return read(vocabJson, ids, merges, ids.containsKey(END_OF_TEXT) ? List.of(END_OF_TEXT) : List.of());
    }

    /**
     * A GPT-2 pre-tokenized tokenizer from the two files, with {@code specialTokens} (which must be in the
     * vocabulary) as control tokens.
     *
     * @throws TokenizerFormatException naming the file that is malformed or inconsistent
     */
    public static ByteLevelBpeTokenizer read(Path vocabJson, Path merges, List<String> specialTokens) {
        return read(vocabJson, readVocabJson(vocabJson), merges, specialTokens);
    }

    private static ByteLevelBpeTokenizer read(Path vocabJson, Map<String, Integer> ids, Path merges,
            List<String> specialTokens) {
        String[] tokens = denseTokens(vocabJson.toString(), ids);
        TokenType[] types = new TokenType[tokens.length];
        Arrays.fill(types, TokenType.NORMAL);
        int first = -1;
        for (String special : specialTokens) {
            Integer id = ids.get(special);
            if (id == null) {
                throw new TokenizerFormatException(vocabJson + ": special token '" + special + "' is not in the vocabulary");
            }
            types[id] = TokenType.CONTROL;
            first = first < 0 ? id : first;
        }
        Vocabulary vocabulary = new Vocabulary(tokens, new float[tokens.length], types, first, first, -1, -1,
                false, false, false);
        List<BpeMerge> rules = readMerges(merges);
        try {
            return new ByteLevelBpeTokenizer(vocabulary, rules, PreTokenizer.GPT2);
        } catch (IllegalArgumentException e) {
            throw new TokenizerFormatException(merges + ": " + e.getMessage());
        }
    }

    /** The token-to-id object of a {@code vocab.json} file. */
    static Map<String, Integer> readVocabJson(Path file) {
        JsonNode root = readJson(file);
        if (!root.isObject()) {
            throw new TokenizerFormatException(file + ": expected a JSON object from token to id, found " + root.getNodeType());
        }
        return tokenIds(file.toString(), root);
    }

    /** The entries of a JSON object from token text to id, checked to be non-negative ints. */
    static Map<String, Integer> tokenIds(String where, JsonNode object) {
        Map<String, Integer> ids = new java.util.LinkedHashMap<>(object.size() * 2);
        for (Map.Entry<String, JsonNode> e : object.properties()) {
            JsonNode id = e.getValue();
            if (!id.canConvertToInt() || !id.isIntegralNumber() || id.intValue() < 0) {
                throw new TokenizerFormatException(where + ": token '" + e.getKey() + "' has id " + id
                        + ", expected a non-negative integer");
            }
            ids.put(e.getKey(), id.intValue());
        }
        return ids;
    }

    /** The tokens by id; ids must be exactly 0..V-1. */
    static String[] denseTokens(String where, Map<String, Integer> ids) {
        String[] tokens = new String[ids.size()];
        for (Map.Entry<String, Integer> e : ids.entrySet()) {
            int id = e.getValue();
            if (id >= tokens.length) {
                throw new TokenizerFormatException(where + ": token '" + e.getKey() + "' has id " + id
                        + ", expected ids 0.." + (tokens.length - 1) + " for " + tokens.length + " tokens");
            }
            if (tokens[id] != null) {
                throw new TokenizerFormatException(where + ": id " + id + " is given to both '" + tokens[id]
                        + "' and '" + e.getKey() + "'");
            }
            tokens[id] = e.getKey();
        }
        return tokens;
    }

    static JsonNode readJson(Path file) {
        try {
            return new ObjectMapper().readTree(Files.readString(file, StandardCharsets.UTF_8));
        } catch (JacksonException e) {
            throw new TokenizerFormatException(file + ": not JSON (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    /** The merges of a {@code merges.txt} / {@code vocab.bpe} file. */
    public static List<BpeMerge> readMerges(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read merges (" + e.getMessage() + ")", e);
        }
        List<BpeMerge> merges = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isEmpty() || i == 0 && line.startsWith("#version")) {
                continue;
            }
            try {
                merges.add(BpeMerge.parse(line));
            } catch (IllegalArgumentException e) {
                throw new TokenizerFormatException(file + ": line " + (i + 1) + ": " + e.getMessage());
            }
        }
        return merges;
    }

    /**
     * Writes {@code vocab.json} laid out as Python's {@code json.dump(vocab, f, indent=4, ensure_ascii=False)}
     * writes it (the layout of the CS336 reference files): ids in order, four-space indent, {@code ": "} and
     * {@code ","} separators, characters beyond ASCII unescaped, no newline at the end.
     */
    public static void writeVocabJson(Tokenizer tokenizer, Path file) {
        Separators separators = Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER);
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter(separators)
                .withObjectIndenter(new DefaultIndenter("    ", "\n"));
        // Python escapes control characters as backslash-u00xx, in lower case
        JsonFactory factory = JsonFactory.builder().disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE).build();
        String[] tokens = tokenizer.vocabulary().tokens();
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
                JsonGenerator json = factory.createGenerator(out)) {
            json.setPrettyPrinter(printer);
            json.writeStartObject();
            for (int id = 0; id < tokens.length; id++) {
                json.writeNumberField(tokens[id], id);
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write vocabulary (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Writes {@code merges.txt}: one {@code "left right"} line per merge, each ending in a newline, after a
     * {@code #version: 0.2} line if {@code versionHeader} (Hugging Face writes one, and its slow
     * {@code GPT2Tokenizer} skips the first line unconditionally, so files for it need the header).
     */
    public static void writeMerges(ByteLevelBpeTokenizer tokenizer, Path file, boolean versionHeader) {
        StringBuilder text = new StringBuilder(versionHeader ? "#version: 0.2\n" : "");
        for (BpeMerge merge : tokenizer.merges()) {
            text.append(merge).append('\n');
        }
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write merges (" + e.getMessage() + ")", e);
        }
    }
}

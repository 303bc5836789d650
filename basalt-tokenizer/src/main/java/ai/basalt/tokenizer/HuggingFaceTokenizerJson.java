package ai.basalt.tokenizer;

import ai.basalt.format.gguf.TokenType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Hugging Face {@code tokenizers}' single-file format ({@code tokenizer.json}) for byte-level BPE: model
 * {@code BPE} with its vocabulary and merges, a {@code ByteLevel} pre-tokenizer, post-processor and decoder, and
 * the special tokens as {@code added_tokens}. What is written is what GPT-2's own {@code tokenizer.json} holds, so
 * {@code tokenizers}, {@code transformers}' {@code PreTrainedTokenizerFast} and llama.cpp's converter read it.
 *
 * <p>The reader takes the files this class writes and the common variants of such files: merges as
 * {@code "a b"} strings or {@code ["a", "b"]} pairs, added tokens with ids beyond the model's vocabulary, and a
 * pre-tokenizer given either as {@code ByteLevel} with its built-in regex or as a {@code Split} on a pattern a
 * {@link PreTokenizer} has, followed by {@code ByteLevel(use_regex=false)}. Special added tokens become control
 * tokens, others user-defined; the first special one is taken as BOS and EOS (as {@code <|endoftext|>} is GPT-2's).
 */
public final class HuggingFaceTokenizerJson {
    private HuggingFaceTokenizerJson() {}

    /** Writes {@code tokenizer} as {@code tokenizer.json}. */
    public static void write(ByteLevelBpeTokenizer tokenizer, Path file) {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        Vocabulary v = tokenizer.vocabulary();
        ObjectNode root = json.createObjectNode().put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (int id = 0; id < v.size(); id++) {
            TokenType type = v.types()[id];
            if (type == TokenType.CONTROL || type == TokenType.USER_DEFINED || type == TokenType.UNKNOWN) {
                added.addObject().put("id", id).put("content", v.tokens()[id]).put("single_word", false)
                        .put("lstrip", false).put("rstrip", false).put("normalized", false)
                        .put("special", type != TokenType.USER_DEFINED);
            }
        }
        root.putNull("normalizer");
        root.set("pre_tokenizer", preTokenizer(json, tokenizer.preTokenizer()));
        root.set("post_processor", byteLevel(json, true, false, true));
        root.set("decoder", byteLevel(json, true, true, true));
        ObjectNode model = root.putObject("model").put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.put("continuing_subword_prefix", "").put("end_of_word_suffix", "").put("fuse_unk", false)
                .put("byte_fallback", false).put("ignore_merges", tokenizer.ignoresMerges());
        ObjectNode vocab = model.putObject("vocab");
        for (int id = 0; id < v.size(); id++) {
            vocab.put(v.tokens()[id], id);
        }
        ArrayNode merges = model.putArray("merges");
        for (BpeMerge merge : tokenizer.merges()) {
            merges.add(merge.toString());
        }
        try {
            Files.writeString(file, json.writeValueAsString(root) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write tokenizer.json (" + e.getMessage() + ")", e);
        }
    }

    private static ObjectNode preTokenizer(ObjectMapper json, PreTokenizer preTokenizer) {
        return switch (preTokenizer) {
            case GPT2 -> byteLevel(json, false, true, true);
            case LLAMA3, QWEN2 -> {
                ObjectNode sequence = json.createObjectNode().put("type", "Sequence");
                ArrayNode steps = sequence.putArray("pretokenizers");
                ObjectNode split = steps.addObject().put("type", "Split");
                split.putObject("pattern").put("Regex", preTokenizer.regex());
                split.put("behavior", "Isolated").put("invert", false);
                steps.add(byteLevel(json, false, false, false));
                yield sequence;
            }
        };
    }

    private static ObjectNode byteLevel(ObjectMapper json, boolean addPrefixSpace, boolean trimOffsets, boolean useRegex) {
        return json.createObjectNode().put("type", "ByteLevel").put("add_prefix_space", addPrefixSpace)
                .put("trim_offsets", trimOffsets).put("use_regex", useRegex);
    }

    /**
     * Reads a byte-level BPE {@code tokenizer.json}.
     *
     * @throws TokenizerFormatException naming the file if it is malformed or describes another kind of tokenizer
     */
    public static ByteLevelBpeTokenizer read(Path file) {
        String where = file.toString();
        JsonNode root = ByteLevelBpeFiles.readJson(file);
        JsonNode model = root.path("model");
        if (!"BPE".equals(model.path("type").asText("BPE")) || !model.path("vocab").isObject()) {
            throw new TokenizerFormatException(where + ": model is " + model.path("type")
                    + ", expected a BPE model with a vocab object");
        }
        Map<String, Integer> ids = ByteLevelBpeFiles.tokenIds(where, model.path("vocab"));
        Map<Integer, TokenType> addedTypes = new HashMap<>();
        int firstSpecial = -1;
        for (JsonNode token : root.path("added_tokens")) {
            int id = token.path("id").asInt(-1);
            String content = token.path("content").asText(null);
            if (id < 0 || content == null) {
                throw new TokenizerFormatException(where + ": added token " + token + " lacks an id or content");
            }
            boolean special = token.path("special").asBoolean(false);
            Integer previous = ids.putIfAbsent(content, id);
            if (previous != null && previous != id) {
                throw new TokenizerFormatException(where + ": added token '" + content + "' has id " + id
                        + " but the vocabulary gives it " + previous);
            }
            addedTypes.put(id, special ? TokenType.CONTROL : TokenType.USER_DEFINED);
            if (special && firstSpecial < 0) firstSpecial = id;
        }
        String[] tokens = ByteLevelBpeFiles.denseTokens(where, ids);
        TokenType[] types = new TokenType[tokens.length];
        Arrays.fill(types, TokenType.NORMAL);
        addedTypes.forEach((id, type) -> types[id] = type);
        Vocabulary vocabulary = new Vocabulary(tokens, new float[tokens.length], types, firstSpecial, firstSpecial,
                -1, -1, false, false, false);
        try {
            return new ByteLevelBpeTokenizer(vocabulary, merges(where, model.path("merges")), preTokenizer(where, root),
                    model.path("ignore_merges").asBoolean(false));
        } catch (IllegalArgumentException e) {
            throw new TokenizerFormatException(where + ": " + e.getMessage());
        }
    }

    private static List<BpeMerge> merges(String where, JsonNode merges) {
        List<BpeMerge> result = new ArrayList<>(merges.size());
        for (int i = 0; i < merges.size(); i++) {
            JsonNode m = merges.get(i);
            try {
                if (m.isTextual()) {
                    result.add(BpeMerge.parse(m.asText()));
                } else if (m.isArray() && m.size() == 2 && m.get(0).isTextual() && m.get(1).isTextual()) {
                    result.add(new BpeMerge(m.get(0).asText(), m.get(1).asText()));
                } else {
                    throw new IllegalArgumentException("expected \"a b\" or [\"a\", \"b\"], found " + m);
                }
            } catch (IllegalArgumentException e) {
                throw new TokenizerFormatException(where + ": model.merges[" + i + "]: " + e.getMessage());
            }
        }
        return result;
    }

    /** The pre-tokenizer a {@code pre_tokenizer} entry stands for. */
    private static PreTokenizer preTokenizer(String where, JsonNode root) {
        JsonNode p = root.path("pre_tokenizer");
        String type = p.path("type").asText("");
        if (type.equals("ByteLevel") && p.path("use_regex").asBoolean(true) && !p.path("add_prefix_space").asBoolean(false)) {
            return PreTokenizer.GPT2;
        }
        if (type.equals("Sequence") && p.path("pretokenizers").size() == 2) {
            JsonNode split = p.path("pretokenizers").get(0);
            JsonNode byteLevel = p.path("pretokenizers").get(1);
            String pattern = split.path("pattern").path("Regex").asText("");
            if (split.path("type").asText("").equals("Split") && !split.path("invert").asBoolean(false)
                    && split.path("behavior").asText("Isolated").equals("Isolated")
                    && byteLevel.path("type").asText("").equals("ByteLevel")
                    && !byteLevel.path("use_regex").asBoolean(true)
                    && !byteLevel.path("add_prefix_space").asBoolean(false)) {
                for (PreTokenizer candidate : PreTokenizer.values()) {
                    if (candidate.regex().equals(pattern)) return candidate;
                }
            }
        }
        throw new TokenizerFormatException(where + ": pre_tokenizer " + p + " is not supported (supported: ByteLevel "
                + "without prefix space, or Split on one of " + Arrays.toString(PreTokenizer.values())
                + "'s patterns then ByteLevel(use_regex=false))");
    }
}

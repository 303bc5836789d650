package ai.basalt.tokenizer;

import ai.basalt.format.gguf.TokenType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Hugging Face {@code tokenizers}' single-file format ({@code tokenizer.json}) for byte-level BPE: model
 * {@code BPE} with its vocabulary and merges, a {@code ByteLevel} pre-tokenizer, post-processor and decoder, and
 * the special tokens as {@code added_tokens}. What is written is what GPT-2's own {@code tokenizer.json} holds, so
 * {@code tokenizers}, {@code transformers}' {@code PreTrainedTokenizerFast} and llama.cpp's converter read it.
 *
 * <p>The reader ({@link TokenizerJsonReader}) takes the files this class writes and those of GPT-2, Llama 3, Qwen 2
 * and 3 and SmolLM: merges as {@code "a b"} strings or {@code ["a", "b"]} pairs, added tokens with ids beyond the
 * model's vocabulary, a Unicode normalizer, a pre-tokenizer Basalt has, and a template adding BOS or EOS.
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
        if (tokenizer.normalization() == Normalization.NONE) {
            root.putNull("normalizer");
        } else {
            root.putObject("normalizer").put("type", tokenizer.normalization().name());
        }
        root.set("pre_tokenizer", preTokenizer(json, tokenizer.preTokenizer()));
        root.set("post_processor", postProcessor(json, v));
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
            case SMOLLM -> {
                ObjectNode sequence = json.createObjectNode().put("type", "Sequence");
                ArrayNode steps = sequence.putArray("pretokenizers");
                steps.addObject().put("type", "Digits").put("individual_digits", true);
                steps.add(byteLevel(json, false, true, true));
                yield sequence;
            }
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

    /**
     * ByteLevel, and where BOS or EOS are added a TemplateProcessing after it, as Llama 3.1's {@code tokenizer.json}
     * has them.
     */
    private static ObjectNode postProcessor(ObjectMapper json, Vocabulary v) {
        ObjectNode byteLevel = byteLevel(json, true, false, true);
        if (!v.addBos() && !v.addEos()) {
            return byteLevel;
        }
        ObjectNode template = json.createObjectNode().put("type", "TemplateProcessing");
        ArrayNode single = template.putArray("single");
        ArrayNode pair = template.putArray("pair");
        ObjectNode specials = json.createObjectNode();
        for (int typeId = 0; typeId < 2; typeId++) {
            if (v.addBos()) templateToken(pair, specials, v, v.bos(), typeId);
            pair.addObject().putObject("Sequence").put("id", typeId == 0 ? "A" : "B").put("type_id", typeId);
            if (v.addEos()) templateToken(pair, specials, v, v.eos(), typeId);
        }
        if (v.addBos()) templateToken(single, specials, v, v.bos(), 0);
        single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        if (v.addEos()) templateToken(single, specials, v, v.eos(), 0);
        template.set("special_tokens", specials);
        ObjectNode sequence = json.createObjectNode().put("type", "Sequence");
        sequence.putArray("processors").add(byteLevel).add(template);
        return sequence;
    }

    private static void templateToken(ArrayNode template, ObjectNode specials, Vocabulary v, int id, int typeId) {
        String text = v.tokens()[id];
        template.addObject().putObject("SpecialToken").put("id", text).put("type_id", typeId);
        ObjectNode entry = specials.putObject(text).put("id", text);
        entry.putArray("ids").add(id);
        entry.putArray("tokens").add(text);
    }

    private static ObjectNode byteLevel(ObjectMapper json, boolean addPrefixSpace, boolean trimOffsets, boolean useRegex) {
        return json.createObjectNode().put("type", "ByteLevel").put("add_prefix_space", addPrefixSpace)
                .put("trim_offsets", trimOffsets).put("use_regex", useRegex);
    }

    /**
     * Reads a byte-level BPE {@code tokenizer.json}: what is read, and how each part maps to Basalt's tokenizer, is
     * listed in {@link TokenizerJsonReader}.
     *
     * @throws TokenizerFormatException naming the file and the JSON path of the field that is malformed or describes
     *     something this tokenizer does not do (one line)
     */
    public static ByteLevelBpeTokenizer read(Path file) {
        return TokenizerJsonReader.read(file);
    }
}

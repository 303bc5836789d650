package ai.basalt.model.hf;

import ai.basalt.format.gguf.TokenType;
import ai.basalt.model.ModelLoadException;
import ai.basalt.tokenizer.ByteLevelBpeTokenizer;
import ai.basalt.tokenizer.HuggingFaceTokenizerJson;
import ai.basalt.tokenizer.SentencePieceBpeTokenizer;
import ai.basalt.tokenizer.SentencePieceModelReader;
import ai.basalt.tokenizer.SentencePieceModelWriter;
import ai.basalt.tokenizer.Tokenizer;
import ai.basalt.tokenizer.Vocabulary;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The tokenizer of a Hugging Face folder, read and written as llama.cpp's converter reads it: a SentencePiece
 * {@value #MODEL} where there is one (the Llama 2, Mistral and Phi-3 folders; not for GPT-2), else a byte-level BPE
 * {@value #JSON}; then {@value #CONFIG}'s special tokens ({@code bos_token}, {@code eos_token}, {@code unk_token},
 * {@code pad_token}, falling back to config.json's {@code bos_token_id}/{@code eos_token_id}), its
 * {@code add_bos_token}/{@code add_eos_token} (else a BOS-first {@code TemplateProcessing} post-processor, else
 * llama.cpp's default for the kind), the SentencePiece {@code added_tokens_decoder}, and the chat template
 * ({@code chat_template}, or a {@value #CHAT_TEMPLATE} file). A vocabulary shorter than {@code vocab_size} is padded
 * with unused {@code [PADn]} tokens, as {@code convert_hf_to_gguf.py} pads it, and those are dropped again on writing.
 */
final class HuggingFaceTokenizer {
    static final String JSON = "tokenizer.json";
    static final String MODEL = "tokenizer.model";
    static final String CONFIG = "tokenizer_config.json";
    static final String CHAT_TEMPLATE = "chat_template.jinja";

    /** @param chatTemplate the Jinja chat template, or null */
    record Loaded(Tokenizer tokenizer, String chatTemplate) {}

    private HuggingFaceTokenizer() {}

    /**
     * Reads the folder's tokenizer for a model of {@code vocabSize} tokens.
     *
     * @param configBos {@code bos_token_id} of config.json, or -1
     * @param configEos {@code eos_token_id} of config.json, or -1
     */
    static Loaded read(Path folder, ModelFamily family, int vocabSize, int configBos, int configEos) {
        Optional<JsonFile> settings = JsonFile.readIfPresent(folder.resolve(CONFIG), "tokenizer settings");
        Path model = folder.resolve(MODEL);
        Path json = folder.resolve(JSON);
        ByteLevelBpeTokenizer bpe = null;
        Vocabulary v;
        Path source;
        if (family != ModelFamily.GPT2 && Files.isRegularFile(model)) {
            source = model;
            v = addedTokens(SentencePieceModelReader.read(model), settings);
        } else if (Files.isRegularFile(json)) {
            source = json;
            bpe = HuggingFaceTokenizerJson.read(json);
            v = bpe.vocabulary();
        } else {
            throw new ModelLoadException(folder + ": no tokenizer (" + JSON + " or " + MODEL + ") in the model folder");
        }
        if (v.size() > vocabSize) {
            throw new ModelLoadException(source + ": " + v.size() + " tokens, more than the " + vocabSize
                    + " rows of the model's embedding (config.json's vocab_size)");
        }
        int bos = special(settings, "bos_token", v).orElse(configBos >= 0 ? configBos : v.bos());
        int eos = special(settings, "eos_token", v).orElse(configEos >= 0 ? configEos : v.eos());
        int unk = special(settings, "unk_token", v).orElse(v.unk());
        int pad = special(settings, "pad_token", v).orElse(v.pad());
        boolean defaultAddBos = bpe == null ? bos >= 0 : templateAddsBos(json, v, bos)
                .orElse(bpe.preTokenizer().addsBosByDefault());
        boolean addBos = settings.map(s -> s.bool("add_bos_token", defaultAddBos)).orElse(defaultAddBos);
        boolean addEos = settings.map(s -> s.bool("add_eos_token", false)).orElse(false);
        boolean spacePrefix = bpe == null && settings.map(s -> s.bool("add_prefix_space", v.addSpacePrefix()))
                .orElse(v.addSpacePrefix());
        Vocabulary padded;
        try {
            padded = pad(v, vocabSize, bos, eos, unk, pad, addBos && bos >= 0, addEos && eos >= 0, spacePrefix);
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException(source + ": " + e.getMessage(), e);
        }
        Tokenizer tokenizer = bpe == null ? new SentencePieceBpeTokenizer(padded)
                : new ByteLevelBpeTokenizer(padded, bpe.merges(), bpe.preTokenizer(), bpe.ignoresMerges());
        return new Loaded(tokenizer, chatTemplate(folder, settings));
    }

    /** SentencePiece vocabularies extended or retyped by {@code added_tokens_decoder} (Phi-3's chat tokens). */
    private static Vocabulary addedTokens(Vocabulary v, Optional<JsonFile> settings) {
        JsonNode added = settings.map(s -> s.node("added_tokens_decoder")).orElse(null);
        if (added == null) return v;
        List<String> tokens = new ArrayList<>(Arrays.asList(v.tokens()));
        List<TokenType> types = new ArrayList<>(Arrays.asList(v.types()));
        JsonFile s = settings.get();
        for (Map.Entry<String, JsonNode> e : added.properties()) {
            String field = "added_tokens_decoder." + e.getKey();
            int id;
            try {
                id = Integer.parseInt(e.getKey());
            } catch (NumberFormatException x) {
                throw s.fail(field, "is not keyed by a token id");
            }
            String content = e.getValue().path("content").textValue();
            if (id < 0 || id > 10_000_000 || content == null) throw s.fail(field, "is not a token id with a content");
            while (tokens.size() <= id) {
                tokens.add(padToken(tokens.size()));
                types.add(TokenType.UNUSED);
            }
            boolean special = e.getValue().path("special").asBoolean(false);
            TokenType old = id < v.size() ? v.type(id) : TokenType.UNUSED;
            tokens.set(id, content);
            types.set(id, special ? (old == TokenType.UNKNOWN ? old : TokenType.CONTROL) : TokenType.USER_DEFINED);
        }
        float[] scores = Arrays.copyOf(v.scores(), tokens.size());
        return new Vocabulary(tokens.toArray(String[]::new), scores, types.toArray(TokenType[]::new), v.bos(), v.eos(),
                v.unk(), v.pad(), v.addBos(), v.addEos(), v.addSpacePrefix());
    }

    /** The id of the special token {@code field} names (a string or an {@code AddedToken} object), if it names one. */
    private static Optional<Integer> special(Optional<JsonFile> settings, String field, Vocabulary v) {
        if (settings.isEmpty()) return Optional.empty();
        JsonFile s = settings.get();
        JsonNode n = s.node(field);
        if (n == null) return Optional.empty();
        String text = n.isTextual() ? n.textValue() : n.path("content").textValue();
        if (text == null) throw s.mistyped(field, n, "a token or an object with a \"content\"");
        int id = v.id(text);
        if (id < 0) throw s.fail(field, "is '" + JsonFile.oneLine(text) + "', which is not in the vocabulary");
        return Optional.of(id);
    }

    /** Whether tokenizer.json's post-processor puts BOS first ({@code TemplateProcessing}), if it has one. */
    private static Optional<Boolean> templateAddsBos(Path json, Vocabulary v, int bos) {
        JsonNode root;
        try {
            root = JsonFile.JSON.readTree(Files.readString(json, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return Optional.empty(); // HuggingFaceTokenizerJson.read has already read it; nothing new to report
        }
        for (JsonNode p : processors(root.path("post_processor"))) {
            if (p.path("type").asText("").equals("TemplateProcessing")) {
                String first = p.path("single").path(0).path("SpecialToken").path("id").asText(null);
                return Optional.of(first != null && bos >= 0 && first.equals(v.token(bos)));
            }
        }
        return Optional.empty();
    }

    private static List<JsonNode> processors(JsonNode p) {
        if (p.path("type").asText("").equals("Sequence")) {
            List<JsonNode> all = new ArrayList<>();
            p.path("processors").forEach(all::add);
            return all;
        }
        return List.of(p);
    }

    private static String chatTemplate(Path folder, Optional<JsonFile> settings) {
        JsonNode t = settings.map(s -> s.node("chat_template")).orElse(null);
        if (t != null && t.isTextual()) return t.textValue();
        if (t != null && t.isArray()) {
            for (JsonNode named : t) if (named.path("name").asText("").equals("default")) return named.path("template").asText();
            if (!t.isEmpty()) return t.get(0).path("template").asText(null);
        }
        if (t != null) throw settings.get().mistyped("chat_template", t, "a string or a list of named templates");
        Path file = folder.resolve(CHAT_TEMPLATE);
        if (!Files.isRegularFile(file)) return null;
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ModelLoadException(file + ": cannot read (" + e.getClass().getSimpleName() + ")", e);
        }
    }

    private static Vocabulary pad(Vocabulary v, int size, int bos, int eos, int unk, int pad, boolean addBos,
            boolean addEos, boolean spacePrefix) {
        String[] tokens = Arrays.copyOf(v.tokens(), size);
        TokenType[] types = Arrays.copyOf(v.types(), size);
        for (int i = v.size(); i < size; i++) {
            tokens[i] = padToken(i);
            types[i] = TokenType.UNUSED;
        }
        return new Vocabulary(tokens, Arrays.copyOf(v.scores(), size), types, bos, eos, unk, pad, addBos, addEos,
                spacePrefix);
    }

    /** The name convert_hf_to_gguf.py gives a slot the tokenizer does not fill. */
    private static String padToken(int id) {
        return "[PAD" + id + "]";
    }

    /**
     * Writes {@code tokenizer} into {@code folder}: {@value #JSON} for byte-level BPE, {@value #MODEL} for
     * SentencePiece, and {@value #CONFIG}; trailing {@code [PADn]} slots are left out.
     *
     * @throws IllegalArgumentException for a tokenizer with no Hugging Face form (Basalt's character tokenizer)
     */
    static void write(Path folder, Tokenizer tokenizer, String chatTemplate, int contextLength) {
        Vocabulary v = unpadded(tokenizer.vocabulary());
        ObjectNode c = JsonFile.JSON.createObjectNode();
        switch (tokenizer) {
            case ByteLevelBpeTokenizer bpe -> {
                HuggingFaceTokenizerJson.write(new ByteLevelBpeTokenizer(v, bpe.merges(), bpe.preTokenizer(),
                        bpe.ignoresMerges()), folder.resolve(JSON));
                c.put("tokenizer_class", "PreTrainedTokenizerFast");
            }
            case SentencePieceBpeTokenizer _ -> {
                SentencePieceModelWriter.write(v, folder.resolve(MODEL));
                c.put("tokenizer_class", "LlamaTokenizer");
            }
            default -> throw new IllegalArgumentException("a " + tokenizer.getClass().getSimpleName()
                    + " has no Hugging Face form (byte-level BPE and SentencePiece tokenizers have)");
        }
        c.put("model_max_length", contextLength).put("add_bos_token", v.addBos()).put("add_eos_token", v.addEos())
                .put("clean_up_tokenization_spaces", false);
        if (v.bos() >= 0) c.put("bos_token", v.token(v.bos()));
        if (v.eos() >= 0) c.put("eos_token", v.token(v.eos()));
        if (v.unk() >= 0) c.put("unk_token", v.token(v.unk()));
        if (v.pad() >= 0) c.put("pad_token", v.token(v.pad()));
        if (chatTemplate != null) c.put("chat_template", chatTemplate);
        JsonFile.write(folder.resolve(CONFIG), c);
    }

    /** {@code v} without the trailing padding slots {@link #pad} added, where no special id points into them. */
    private static Vocabulary unpadded(Vocabulary v) {
        int n = v.size();
        while (n > 1 && v.type(n - 1) == TokenType.UNUSED && v.token(n - 1).equals(padToken(n - 1))) n--;
        int highestSpecial = Math.max(Math.max(v.bos(), v.eos()), Math.max(v.unk(), v.pad()));
        if (n == v.size() || highestSpecial >= n) return v;
        return new Vocabulary(Arrays.copyOf(v.tokens(), n), Arrays.copyOf(v.scores(), n), Arrays.copyOf(v.types(), n),
                v.bos(), v.eos(), v.unk(), v.pad(), v.addBos(), v.addEos(), v.addSpacePrefix());
    }
}

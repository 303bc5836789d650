package ai.basalt.tokenizer;

import static ai.basalt.tokenizer.JsonField.describe;
import static ai.basalt.tokenizer.JsonField.excerpt;
import static ai.basalt.tokenizer.JsonField.quote;

import ai.basalt.format.gguf.TokenType;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a byte-level BPE {@code tokenizer.json}, field by field in the order Hugging Face {@code tokenizers} writes
 * them: {@code version}, {@code truncation} and {@code padding} (which shape batches; Basalt neither truncates nor
 * pads), {@code added_tokens}, {@code normalizer}, {@code pre_tokenizer}, {@code post_processor}, {@code decoder},
 * {@code model}. Every check fails with a {@link TokenizerFormatException} naming the file and the JSON path of the
 * field ({@code tokenizer.json: model.merges[12]: 'ab' is not a token of model.vocab}).
 *
 * <p>What is read, and what each part becomes:
 * <ul>
 *   <li>{@code added_tokens}: special ones become control tokens, matched in the text when special tokens are
 *       parsed; the others user-defined, always matched. {@code lstrip}, {@code rstrip} and {@code single_word} are
 *       not supported.</li>
 *   <li>{@code normalizer}: none, or {@code NFC}, {@code NFD}, {@code NFKC}, {@code NFKD} ({@link Normalization}),
 *       alone or as a {@code Sequence} of one.</li>
 *   <li>{@code pre_tokenizer}: {@code ByteLevel} with its own regex ({@link PreTokenizer#GPT2}); a {@code Sequence}
 *       of a {@code Split} on a pattern a {@link PreTokenizer} has and {@code ByteLevel(use_regex=false)}; or of
 *       {@code Digits(individual_digits=true)} and {@code ByteLevel} ({@link PreTokenizer#SMOLLM}). Never a prefix
 *       space.</li>
 *   <li>{@code post_processor}: none or {@code ByteLevel} (which only moves offsets) add nothing; a
 *       {@code TemplateProcessing}, alone or in a {@code Sequence}, whose {@code single} template puts at most one
 *       special token before the text and one after sets BOS and EOS and adds them
 *       ({@code encode(text, true, ...)} matches Hugging Face's {@code add_special_tokens=True}). Without one, the
 *       first special added token stands for both BOS and EOS, added by neither.</li>
 *   <li>{@code decoder}: {@code ByteLevel}.</li>
 *   <li>{@code model}: {@code BPE} with its {@code vocab} (ids 0..V-1 together with the added tokens, each once,
 *       every byte among them), {@code merges} ({@code "a b"} strings or {@code ["a", "b"]} pairs of tokens whose
 *       concatenation is a token), {@code unk_token} and {@code ignore_merges}; no dropout, no subword prefix or
 *       suffix, no byte fallback.</li>
 * </ul>
 */
final class TokenizerJsonReader {
    /** The largest file read: real ones are tens of megabytes. */
    private static final long MAX_BYTES = 1L << 30;
    /** Longest excerpt of a foreign message (Jackson's, a merge parser's) that messages quote. */
    private static final int MESSAGE_EXCERPT = 200;
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private record AddedToken(JsonField field, String content, int id, boolean special) {}

    /** Where an id was given, to name it if it turns out out of range. */
    private record IdUse(JsonField field, int id) {}

    private TokenizerJsonReader() {}

    static ByteLevelBpeTokenizer read(Path file) {
        JsonField root = JsonField.root(file.toString(), parse(file));
        if (root.node().isMissingNode()) {
            throw root.fail("the file is empty, expected a JSON object");
        }
        root.requireObject();
        root.field("version").string(null);
        List<AddedToken> added = addedTokens(root.field("added_tokens"));
        Normalization normalization = TokenizerJsonPipeline.normalizer(root.field("normalizer"));
        PreTokenizer preTokenizer = TokenizerJsonPipeline.preTokenizer(root.field("pre_tokenizer"));
        TokenizerJsonPipeline.Template template = TokenizerJsonPipeline.postProcessor(root.field("post_processor"));
        TokenizerJsonPipeline.decoder(root.field("decoder"));
        JsonField model = root.field("model");
        model.requireObject();
        checkBpeOptions(model);
        Vocabulary vocabulary = vocabulary(model, added, template);
        Map<String, Integer> normal = normalTokenIds(vocabulary);
        checkBytes(model.field("vocab"), normal, vocabulary.unk());
        List<BpeMerge> merges = merges(model.field("merges"), normal);
        boolean ignoreMerges = model.field("ignore_merges").bool(false);
        try {
            return new ByteLevelBpeTokenizer(vocabulary, merges, preTokenizer, ignoreMerges, normalization);
        } catch (IllegalArgumentException e) {
            throw model.fail(excerpt(e.getMessage(), MESSAGE_EXCERPT)); // the checks above should have caught it
        }
    }

    private static JsonNode parse(Path file) {
        try {
            long size = Files.size(file);
            if (size > MAX_BYTES) {
                throw new TokenizerFormatException(file + ": " + size + " bytes, more than a tokenizer.json can be ("
                        + MAX_BYTES + ")");
            }
            return JSON.readTree(Files.readAllBytes(file));
        } catch (JacksonException e) {
            JsonLocation at = e.getLocation();
            throw new TokenizerFormatException(file + ": not valid JSON"
                    + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr()) + ": "
                    + excerpt(e.getOriginalMessage(), MESSAGE_EXCERPT));
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    private static List<AddedToken> addedTokens(JsonField field) {
        if (field.isAbsent()) return List.of();
        List<AddedToken> tokens = new ArrayList<>();
        for (JsonField t : field.elements()) {
            t.requireObject();
            int id = t.field("id").id();
            String content = t.field("content").string();
            if (content.isEmpty()) throw t.field("content").fail("an added token cannot be empty");
            for (String flag : List.of("single_word", "lstrip", "rstrip")) {
                if (t.field(flag).bool(false)) {
                    throw t.field(flag).fail("true is not supported: Basalt matches added tokens as they are written");
                }
            }
            t.field("normalized").bool(false);
            tokens.add(new AddedToken(t, content, id, t.field("special").bool(false)));
        }
        return tokens;
    }

    /** The options of a BPE model that Basalt's byte-level BPE does not have must be off. */
    private static void checkBpeOptions(JsonField model) {
        String type = model.field("type").string("BPE");
        if (!type.equals("BPE")) {
            throw model.field("type").fail("expected 'BPE' (Basalt reads byte-level BPE tokenizer.json files), found "
                    + quote(type));
        }
        JsonField dropout = model.field("dropout");
        if (!dropout.isAbsent() && !(dropout.node().isNumber() && dropout.node().doubleValue() == 0)) {
            throw dropout.fail("expected null, found " + describe(dropout.node()) + " (BPE dropout, which makes "
                    + "encoding random, is not supported)");
        }
        for (String affix : List.of("continuing_subword_prefix", "end_of_word_suffix")) {
            if (!model.field(affix).string("").isEmpty()) {
                throw model.field(affix).fail("expected null or '', found " + describe(model.field(affix).node()));
            }
        }
        model.field("fuse_unk").bool(false);
        if (model.field("byte_fallback").bool(false)) {
            throw model.field("byte_fallback").fail("true is not supported (byte-level BPE has a token for every "
                    + "byte; SentencePiece-style vocabularies are read from GGUF or tokenizer.model)");
        }
    }

    /** Tokens from {@code model.vocab} and {@code added_tokens}, whose ids together must be 0..V-1, each once. */
    private static Vocabulary vocabulary(JsonField model, List<AddedToken> added,
            TokenizerJsonPipeline.Template template) {
        JsonField vocab = model.field("vocab");
        Map<String, Integer> ids = new HashMap<>();
        Map<Integer, String> texts = new HashMap<>();
        List<IdUse> uses = new ArrayList<>();
        for (JsonField.Entry e : vocab.entries()) {
            int id = e.value().id();
            String other = texts.putIfAbsent(id, e.key());
            if (other != null) throw e.value().fail("id " + id + " is also the id of " + quote(other));
            ids.put(e.key(), id);
            uses.add(new IdUse(e.value(), id));
        }
        Map<Integer, TokenType> addedTypes = new HashMap<>();
        int firstSpecial = -1;
        for (AddedToken a : added) {
            JsonField idField = a.field().field("id");
            Integer known = ids.get(a.content());
            if (known == null) {
                String other = texts.putIfAbsent(a.id(), a.content());
                if (other != null) throw idField.fail("id " + a.id() + " is already the id of " + quote(other));
                ids.put(a.content(), a.id());
                uses.add(new IdUse(idField, a.id()));
            } else if (known != a.id()) {
                throw idField.fail("id " + a.id() + ", but " + quote(a.content()) + " already has the id " + known);
            }
            addedTypes.put(a.id(), a.special() ? TokenType.CONTROL : TokenType.USER_DEFINED);
            if (a.special() && firstSpecial < 0) firstSpecial = a.id();
        }
        int size = texts.size();
        if (size == 0) throw vocab.fail("the vocabulary is empty");
        for (IdUse use : uses) {
            if (use.id() >= size) {
                throw use.field().fail("id " + use.id() + " leaves a gap: the " + size + " tokens of model.vocab and "
                        + "added_tokens must have the ids 0.." + (size - 1));
            }
        }
        String[] tokens = new String[size];
        texts.forEach((id, text) -> tokens[id] = text);
        TokenType[] types = new TokenType[size];
        Arrays.fill(types, TokenType.NORMAL);
        addedTypes.forEach((id, type) -> types[id] = type);
        int bos = templateId(template.bos(), size, firstSpecial);
        int eos = templateId(template.eos(), size, firstSpecial);
        int unk = unknownId(model.field("unk_token"), ids);
        try {
            return new Vocabulary(tokens, new float[size], types, bos, eos, unk, -1, template.bos() != null,
                    template.eos() != null, false);
        } catch (IllegalArgumentException e) {
            throw model.fail(excerpt(e.getMessage(), MESSAGE_EXCERPT));
        }
    }

    private static int templateId(TokenizerJsonPipeline.TemplateToken token, int size, int otherwise) {
        if (token == null) return otherwise;
        if (token.id() >= size) {
            throw token.field().fail("id " + token.id() + " is not a token (the vocabulary has " + size + ")");
        }
        return token.id();
    }

    private static int unknownId(JsonField unkToken, Map<String, Integer> ids) {
        String text = unkToken.string(null);
        if (text == null) return -1;
        Integer id = ids.get(text);
        if (id == null) throw unkToken.fail(quote(text) + " is not a token of model.vocab or added_tokens");
        return id;
    }

    /** Normal tokens by text: the ones merges may name. */
    private static Map<String, Integer> normalTokenIds(Vocabulary vocabulary) {
        Map<String, Integer> ids = new HashMap<>(vocabulary.size() * 2);
        for (int id = 0; id < vocabulary.size(); id++) {
            if (vocabulary.types()[id] == TokenType.NORMAL) ids.put(vocabulary.tokens()[id], id);
        }
        return ids;
    }

    private static List<BpeMerge> merges(JsonField field, Map<String, Integer> normal) {
        List<JsonField> all = field.elements();
        List<BpeMerge> merges = new ArrayList<>(all.size());
        for (JsonField m : all) {
            JsonNode n = m.node();
            BpeMerge merge;
            try {
                if (n.isTextual()) {
                    merge = BpeMerge.parse(n.textValue());
                } else if (n.isArray() && n.size() == 2 && n.get(0).isTextual() && n.get(1).isTextual()) {
                    merge = new BpeMerge(n.get(0).textValue(), n.get(1).textValue());
                } else {
                    throw m.fail("expected \"a b\" or [\"a\", \"b\"], found " + describe(n));
                }
            } catch (IllegalArgumentException e) {
                throw m.fail(excerpt(e.getMessage(), MESSAGE_EXCERPT));
            }
            for (String part : List.of(merge.left(), merge.right(), merge.merged())) {
                if (!normal.containsKey(part)) throw m.fail(quote(part) + " is not a token of model.vocab");
            }
            merges.add(merge);
        }
        return merges;
    }

    /** Every byte must have its token, unless there is an unknown token to stand for it (as in Hugging Face). */
    private static void checkBytes(JsonField vocab, Map<String, Integer> normal, int unk) {
        if (unk >= 0) return;
        for (int b = 0; b < 256; b++) {
            String text = String.valueOf(ByteLevel.charOf(b));
            if (!normal.containsKey(text)) {
                throw vocab.fail(String.format("byte 0x%02X has no token (%s), and there is no unk_token: "
                        + "byte-level BPE needs one for each of the 256 bytes", b, quote(text)));
            }
        }
    }
}

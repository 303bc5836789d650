package ai.basalt.tokenizer;

import static ai.basalt.tokenizer.JsonField.describe;
import static ai.basalt.tokenizer.JsonField.quote;

import java.util.List;

/**
 * The text-processing steps of a {@code tokenizer.json}, each checked to be one Basalt's byte-level BPE has:
 * {@code normalizer}, {@code pre_tokenizer}, {@code post_processor} and {@code decoder} ({@link TokenizerJsonReader}
 * lists what is supported). Each check fails with the JSON path of the field at fault.
 */
final class TokenizerJsonPipeline {
    /** A special token a template adds: where its id was given, and the id. */
    record TemplateToken(JsonField field, int id) {}

    /** The special tokens a template puts before and after the text, each null where there is none. */
    record Template(TemplateToken bos, TemplateToken eos) {
        static final Template NONE = new Template(null, null);
    }

    private TokenizerJsonPipeline() {}

    static Normalization normalizer(JsonField field) {
        if (field.isAbsent()) return Normalization.NONE;
        field.requireObject();
        String type = field.field("type").string();
        return switch (type) {
            case "NFC", "NFD", "NFKC", "NFKD" -> Normalization.valueOf(type);
            case "Sequence" -> {
                List<JsonField> steps = field.field("normalizers").elements();
                if (steps.size() > 1) {
                    throw field.field("normalizers").fail("a sequence of " + steps.size()
                            + " normalizers is not supported (one at most)");
                }
                yield steps.isEmpty() ? Normalization.NONE : normalizer(steps.getFirst());
            }
            default -> throw field.field("type").fail(quote(type)
                    + " is not supported (supported: NFC, NFD, NFKC, NFKD, or a Sequence of one of them)");
        };
    }

    static PreTokenizer preTokenizer(JsonField field) {
        field.requireObject();
        JsonField type = field.field("type");
        switch (type.string()) {
            case "ByteLevel" -> {
                byteLevel(field, true);
                return PreTokenizer.GPT2;
            }
            case "Sequence" -> {
                List<JsonField> steps = field.field("pretokenizers").elements();
                if (steps.size() != 2) {
                    throw field.field("pretokenizers").fail("a sequence of " + steps.size() + " pre-tokenizers is "
                            + "not supported (supported: Split then ByteLevel, or Digits then ByteLevel)");
                }
                JsonField first = steps.get(0);
                first.requireObject();
                JsonField firstType = first.field("type");
                switch (firstType.string()) {
                    case "Split" -> {
                        PreTokenizer split = split(first);
                        byteLevel(steps.get(1), false);
                        return split;
                    }
                    case "Digits" -> {
                        if (!first.field("individual_digits").bool()) {
                            throw first.field("individual_digits").fail("false is not supported (only every "
                                    + "digit alone, as SmolLM's pre-tokenizer has it)");
                        }
                        byteLevel(steps.get(1), true);
                        return PreTokenizer.SMOLLM;
                    }
                    default -> throw firstType.fail(quote(firstType.string())
                            + " is not supported here (supported: Split, Digits)");
                }
            }
            default -> throw type.fail(quote(type.string())
                    + " is not supported (supported: ByteLevel, or a Sequence of Split or Digits then ByteLevel)");
        }
    }

    /** Checks a {@code ByteLevel} pre-tokenizer: no prefix space, and GPT-2's regex exactly when {@code useRegex}. */
    private static void byteLevel(JsonField field, boolean useRegex) {
        field.requireObject();
        String type = field.field("type").string();
        if (!type.equals("ByteLevel")) {
            throw field.field("type").fail("expected 'ByteLevel', found " + quote(type));
        }
        if (field.field("add_prefix_space").bool()) {
            throw field.field("add_prefix_space").fail("true is not supported (no byte-level model Basalt knows "
                    + "puts a space before the text)");
        }
        field.field("trim_offsets").bool(true);
        boolean regex = field.field("use_regex").bool(true);
        if (regex != useRegex) {
            throw field.field("use_regex").fail(regex
                    ? "true is not supported after a Split (GPT-2's pattern would cut the Split's words again)"
                    : "false is not supported here (the text would not be cut into words)");
        }
    }

    /** The pre-tokenizer whose pattern a {@code Split} gives. */
    private static PreTokenizer split(JsonField field) {
        JsonField pattern = field.field("pattern");
        pattern.requireObject();
        JsonField regex = pattern.field("Regex");
        if (regex.isAbsent()) {
            throw pattern.fail("expected a Regex pattern, found " + describe(pattern.node()));
        }
        String behavior = field.field("behavior").string();
        if (!behavior.equals("Isolated")) {
            throw field.field("behavior").fail(quote(behavior) + " is not supported (supported: Isolated)");
        }
        if (field.field("invert").bool(false)) {
            throw field.field("invert").fail("true is not supported");
        }
        String text = regex.string();
        for (PreTokenizer p : List.of(PreTokenizer.GPT2, PreTokenizer.LLAMA3, PreTokenizer.QWEN2)) {
            if (p.regex().equals(text)) return p;
        }
        throw regex.fail("the pattern " + quote(text) + " is not one Basalt has (it has those of GPT-2, Llama 3 "
                + "and Qwen 2, llama.cpp's gpt-2, llama-bpe and qwen2)");
    }

    static Template postProcessor(JsonField field) {
        if (field.isAbsent()) return Template.NONE;
        field.requireObject();
        JsonField type = field.field("type");
        return switch (type.string()) {
            case "ByteLevel" -> Template.NONE;
            case "TemplateProcessing" -> template(field);
            case "Sequence" -> {
                Template found = Template.NONE;
                for (JsonField step : field.field("processors").elements()) {
                    Template t = postProcessor(step);
                    if (t != Template.NONE) {
                        if (found != Template.NONE) throw step.fail("a second TemplateProcessing is not supported");
                        found = t;
                    }
                }
                yield found;
            }
            default -> throw type.fail(quote(type.string())
                    + " is not supported (supported: ByteLevel, TemplateProcessing, or a Sequence of them)");
        };
    }

    /** The special tokens of a {@code TemplateProcessing}'s {@code single} template; {@code pair} is not used. */
    private static Template template(JsonField field) {
        String before = null;
        String after = null;
        boolean text = false;
        for (JsonField piece : field.field("single").elements()) {
            piece.requireObject();
            JsonField sequence = piece.field("Sequence");
            JsonField special = piece.field("SpecialToken");
            if (!sequence.isAbsent()) {
                sequence.requireObject();
                String id = sequence.field("id").string();
                if (text || !id.equals("A")) {
                    throw sequence.field("id").fail("expected the one sequence 'A' of a single text, found " + quote(id));
                }
                text = true;
            } else if (!special.isAbsent()) {
                special.requireObject();
                String name = special.field("id").string();
                if (text ? after != null : before != null) {
                    throw special.fail("a second special token " + (text ? "after" : "before")
                            + " the text is not supported (a vocabulary has one BOS and one EOS)");
                }
                if (text) after = name;
                else before = name;
            } else {
                throw piece.fail("expected a SpecialToken or a Sequence, found " + describe(piece.node()));
            }
        }
        if (!text) throw field.field("single").fail("no sequence 'A': the template would drop the text");
        JsonField specialTokens = field.field("special_tokens");
        return new Template(templateToken(specialTokens, before), templateToken(specialTokens, after));
    }

    private static TemplateToken templateToken(JsonField specialTokens, String name) {
        if (name == null) return null;
        specialTokens.requireObject();
        JsonField token = specialTokens.key(name);
        if (token.isAbsent()) {
            throw specialTokens.fail("no entry for " + quote(name) + ", which the single template names");
        }
        token.requireObject();
        List<JsonField> ids = token.field("ids").elements();
        if (ids.size() != 1) {
            throw token.field("ids").fail(ids.size() + " ids are not supported (one token each)");
        }
        return new TemplateToken(ids.getFirst(), ids.getFirst().id());
    }

    static void decoder(JsonField field) {
        field.requireObject();
        String type = field.field("type").string();
        if (!type.equals("ByteLevel")) {
            throw field.field("type").fail("expected 'ByteLevel', the decoder of byte-level BPE, found " + quote(type));
        }
    }
}

package ai.basalt.generate.chat;

import ai.basalt.model.LanguageModel;
import ai.basalt.tokenizer.Vocabulary;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which chat template a model is talked to with, and which tokens end its turns. A model's own template
 * (GGUF {@code tokenizer.chat_template}) wins; a model without one gets a named built-in:
 * {@value #CHATML} when its vocabulary has the ChatML tokens {@code <|im_start|>} and {@code <|im_end|>} (llama.cpp's
 * default template), else {@value #PLAIN}, a transcript ({@code User: …} / {@code Assistant: …}) that a base
 * model can continue as ordinary text, ending its turn where it starts the next {@code User:} line.
 */
public final class ChatTemplates {
    /** Name of the built-in ChatML template. */
    public static final String CHATML = "chatml";
    /** Name of the built-in plain-transcript template, for base models. */
    public static final String PLAIN = "plain";

    private static final String CHATML_SOURCE = """
            {% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] \
            + '<|im_end|>' + '\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}\
            {% endif %}""";

    private static final String PLAIN_SOURCE = """
            {% for message in messages %}{% if message['role'] == 'system' %}{{ message['content'] + '\\n\\n' }}\
            {% else %}{{ message['role'] | capitalize + ': ' + message['content'] + '\\n' }}{% endif %}{% endfor %}\
            {% if add_generation_prompt %}{{ 'Assistant:' }}{% endif %}""";

    /**
     * Texts of the special tokens that end a turn across model families (llama.cpp {@code llama-vocab.cpp}
     * collects the same end-of-generation tokens by text).
     */
    private static final List<String> END_OF_TURN_TEXTS = List.of("<|eot_id|>", "<|eom_id|>", "<|im_end|>",
            "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>", "<|return|>", "<|call|>", "<EOT>",
            "<｜end▁of▁sentence｜>");

    private ChatTemplates() {}

    /** The model's own template, or the built-in fallback its vocabulary suits. */
    public static ChatTemplate forModel(LanguageModel model) {
        return model.chatTemplate()
                .map(source -> of(model, "tokenizer.chat_template of " + model.name(), source))
                .orElseGet(() -> builtin(model, fallbackName(model.tokenizer().vocabulary())));
    }

    /** Template {@code source}, called {@code name} in errors, with {@code model}'s BOS and EOS texts. */
    public static ChatTemplate of(LanguageModel model, String name, String source) {
        Vocabulary vocabulary = model.tokenizer().vocabulary();
        return ChatTemplate.of(name, source, tokenText(vocabulary, vocabulary.bos()),
                tokenText(vocabulary, vocabulary.eos()));
    }

    /**
     * The built-in template {@code name} with {@code model}'s BOS and EOS texts.
     *
     * @throws IllegalArgumentException for an unknown name
     */
    public static ChatTemplate builtin(LanguageModel model, String name) {
        Vocabulary vocabulary = model.tokenizer().vocabulary();
        return builtin(name, tokenText(vocabulary, vocabulary.bos()), tokenText(vocabulary, vocabulary.eos()));
    }

    /** The built-in a model without a template gets: {@value #CHATML} where the vocabulary has its tokens. */
    public static String fallbackName(Vocabulary vocabulary) {
        boolean chatml = vocabulary.id("<|im_start|>") >= 0 && vocabulary.id("<|im_end|>") >= 0;
        return chatml ? CHATML : PLAIN;
    }

    /**
     * A built-in template by name.
     *
     * @throws IllegalArgumentException for an unknown name
     */
    public static ChatTemplate builtin(String name, String bosToken, String eosToken) {
        return switch (name) {
            case CHATML -> ChatTemplate.of("built-in " + CHATML, CHATML_SOURCE, bosToken, eosToken);
            case PLAIN -> ChatTemplate.of("built-in " + PLAIN, PLAIN_SOURCE, bosToken, eosToken, List.of("\nUser:"));
            default -> throw new IllegalArgumentException(
                    "unknown built-in chat template '" + name + "': expected " + CHATML + " or " + PLAIN);
        };
    }

    /**
     * The template source in a Hugging Face {@code tokenizer_config.json} {@code chat_template} field, as parsed
     * JSON: a string, or a list of {@code {"name": …, "template": …}} objects from which {@code name} is picked
     * ({@code "default"} when null, as transformers does).
     *
     * @throws IllegalArgumentException if the field has another shape, or the list lacks the named template
     */
    public static String fromHuggingFace(Object field, String name) {
        if (field instanceof String source) return source;
        if (!(field instanceof List<?> list)) {
            throw new IllegalArgumentException("chat_template must be a string or a list of {name, template}, got "
                    + (field == null ? "null" : field.getClass().getSimpleName()));
        }
        String wanted = name == null ? "default" : name;
        List<String> names = new ArrayList<>();
        for (Object item : list) {
            if (item instanceof Map<?, ?> entry && entry.get("name") instanceof String n
                    && entry.get("template") instanceof String source) {
                if (n.equals(wanted)) return source;
                names.add(n);
            } else {
                throw new IllegalArgumentException("chat_template list entry is not {name, template}: " + item);
            }
        }
        throw new IllegalArgumentException("chat_template has no template named '" + wanted + "': it has " + names);
    }

    /**
     * The ids that end an assistant turn: the vocabulary's EOS and every special token whose text is a known
     * end-of-turn marker ({@code <|eot_id|>}, {@code <|im_end|>}, …).
     */
    public static Set<Integer> endOfTurnTokens(Vocabulary vocabulary) {
        Set<Integer> ids = new LinkedHashSet<>();
        if (vocabulary.eos() >= 0) ids.add(vocabulary.eos());
        for (String text : END_OF_TURN_TEXTS) {
            int id = vocabulary.id(text);
            if (id >= 0) ids.add(id);
        }
        return Set.copyOf(ids);
    }

    private static String tokenText(Vocabulary vocabulary, int id) {
        return id < 0 ? "" : vocabulary.token(id);
    }
}

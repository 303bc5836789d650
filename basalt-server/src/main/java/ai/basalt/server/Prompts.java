package ai.basalt.server;

import ai.basalt.generate.GenerationParams;
import ai.basalt.generate.chat.ChatMessage;
import ai.basalt.generate.chat.ChatTemplates;
import ai.basalt.generate.sampling.SamplingParams;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/** What every API does the same way: chat messages to prompt tokens, request settings to generation parameters. */
public final class Prompts {
    private Prompts() {}

    /** The prompt tokens of a conversation, through the model's chat template, ending where the assistant speaks. */
    public static int[] chat(ServedModel model, List<ChatMessage> messages) {
        return chat(model, messages, Map.of());
    }

    /** As {@link #chat(ServedModel, List)}, with further template variables (such as {@code tools}). */
    public static int[] chat(ServedModel model, List<ChatMessage> messages, Map<String, Object> extra) {
        if (messages.isEmpty()) throw ApiException.badField("messages", "'messages' must hold at least one message");
        return model.tokenizeChat(model.template().render(messages, true, extra));
    }

    /**
     * Sampling settings checked: temperature in [0, 2], top_p in (0, 1], top_k ≥ 0; a request without a seed gets a
     * random one (as OpenAI's and Ollama's do).
     */
    public static SamplingParams sampling(Double temperature, Double topP, Integer topK, Double minP, Double repeatPenalty,
            Long seed, double defaultTemperature) {
        double t = temperature == null ? defaultTemperature : temperature;
        if (!(t >= 0 && t <= 2)) throw ApiException.badField("temperature", "'temperature' " + t + " must be between 0 and 2");
        double p = topP == null ? 1.0 : topP;
        if (!(p > 0 && p <= 1)) throw ApiException.badField("top_p", "'top_p' " + p + " must be in (0, 1]");
        int k = topK == null ? 0 : topK;
        if (k < 0) throw ApiException.badField("top_k", "'top_k' " + k + " must not be negative");
        double mp = minP == null ? 0 : minP;
        if (!(mp >= 0 && mp <= 1)) throw ApiException.badField("min_p", "'min_p' " + mp + " must be in [0, 1]");
        double rp = repeatPenalty == null ? 1 : repeatPenalty;
        if (!(rp > 0 && rp <= 10)) throw ApiException.badField("repeat_penalty", "'repeat_penalty' " + rp + " must be in (0, 10]");
        long s = seed == null ? ThreadLocalRandom.current().nextLong() : seed;
        return new SamplingParams((float) t, k, (float) p, (float) mp, (float) rp, 64, s);
    }

    /** Generation settings for a chat reply: the caller's stops plus the template's and its end-of-turn tokens. */
    public static GenerationParams chatParams(ServedModel model, SamplingParams sampling, List<String> stop) {
        List<String> stops = new ArrayList<>(stop);
        stops.addAll(model.template().stop());
        Set<Integer> tokens = new HashSet<>(ChatTemplates.endOfTurnTokens(model.model().tokenizer().vocabulary()));
        return new GenerationParams(sampling, Integer.MAX_VALUE, stops, tokens);
    }

    /** Generation settings for a plain completion. */
    public static GenerationParams textParams(SamplingParams sampling, List<String> stop) {
        return new GenerationParams(sampling, Integer.MAX_VALUE, stop, Set.of());
    }

    /** A token budget from the request: positive, or null for "until the context is full". */
    public static Integer maxTokens(Integer value, String field) {
        if (value != null && value < 1) throw ApiException.badField(field, "'" + field + "' " + value + " must be at least 1");
        return value;
    }
}

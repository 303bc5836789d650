package ai.basalt.generate.chat;

import ai.basalt.generate.GenerationParams;
import ai.basalt.generate.GenerationResult;
import ai.basalt.generate.Session;
import ai.basalt.generate.TokenListener;
import ai.basalt.model.KvType;
import ai.basalt.model.LanguageModel;
import ai.basalt.tokenizer.Vocabulary;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A conversation with a model through its chat template. Each turn renders the whole conversation with
 * {@code add_generation_prompt}, tokenizes it, keeps the part of the KV cache that already holds the same tokens
 * (the earlier turns, normally) and feeds only the rest, as llama.cpp's server reuses a slot's cached prefix.
 * The reply ends at an end-of-turn token ({@link ChatTemplates#endOfTurnTokens}) or a stop string of the template,
 * and joins the conversation as an assistant message. Not thread-safe: one conversation, one caller.
 */
public final class ChatSession {
    private final LanguageModel model;
    private final ChatTemplate template;
    private final int contextLength;
    private final Set<Integer> endOfTurn;
    private final List<ChatMessage> messages = new ArrayList<>();
    private final KvType kvType;
    private Session session;

    /** A conversation over a KV cache in {@link KvType#DEFAULT}. */
    public ChatSession(LanguageModel model, ChatTemplate template, int contextLength) {
        this(model, template, contextLength, KvType.DEFAULT);
    }

    public ChatSession(LanguageModel model, ChatTemplate template, int contextLength, KvType kvType) {
        this.model = model;
        this.template = template;
        this.contextLength = contextLength;
        this.kvType = kvType;
        this.endOfTurn = ChatTemplates.endOfTurnTokens(model.tokenizer().vocabulary());
        this.session = new Session(model, contextLength, kvType);
    }

    public ChatTemplate template() {
        return template;
    }

    /** The conversation so far. */
    public List<ChatMessage> messages() {
        return List.copyOf(messages);
    }

    /** Forgets the conversation and the cache. */
    public void reset() {
        messages.clear();
        session = new Session(model, contextLength, kvType);
    }

    /** Adds {@code message} (such as a system message) without generating; it is fed with the next turn. */
    public void add(ChatMessage message) {
        messages.add(message);
    }

    /**
     * Adds {@code message} (normally the user's) and generates the assistant's reply, streaming it to
     * {@code listener}. On failure the conversation is left as it was.
     *
     * @throws ChatTemplateException if the template refuses or fails to render the conversation
     * @throws ai.basalt.generate.ContextOverflowException if the conversation no longer fits the context
     */
    public GenerationResult send(ChatMessage message, GenerationParams params, TokenListener listener) {
        List<ChatMessage> next = new ArrayList<>(messages);
        next.add(message);
        int[] prompt = tokenize(model, template.render(next, true, Map.of()));
        int reused = reuseCachedPrefix(prompt);
        int[] fresh = Arrays.copyOfRange(prompt, reused, prompt.length);
        GenerationResult result = session.generate(fresh, turnParams(params), listener);
        messages.add(message);
        messages.add(ChatMessage.assistant(result.text().strip()));
        return result;
    }

    /**
     * Token ids of a conversation {@code model}'s chat template rendered: BOS added unless the template already wrote
     * its text, special-token text recognised.
     */
    public static int[] tokenize(LanguageModel model, String rendered) {
        Vocabulary vocabulary = model.tokenizer().vocabulary();
        boolean templateWroteBos = vocabulary.bos() >= 0 && rendered.startsWith(vocabulary.token(vocabulary.bos()));
        return model.tokenizer().encode(rendered, !templateWroteBos, true);
    }

    /** Truncates the session to its longest prefix shared with {@code prompt} (leaving one token to feed). */
    private int reuseCachedPrefix(int[] prompt) {
        List<Integer> held = session.tokens();
        int common = 0;
        while (common < held.size() && common < prompt.length && held.get(common) == prompt[common]) common++;
        if (common == prompt.length) common--;
        session.truncate(common);
        return common;
    }

    private GenerationParams turnParams(GenerationParams params) {
        Set<Integer> stopTokens = new HashSet<>(params.stopTokens());
        stopTokens.addAll(endOfTurn);
        return params.withStopTokens(stopTokens).withMoreStops(template.stop());
    }
}

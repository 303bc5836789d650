package ai.basalt.server;

import ai.basalt.generate.GenerationParams;
import ai.basalt.generate.chat.ChatSession;
import ai.basalt.generate.constrain.GrammarConstraint;
import ai.basalt.generate.constrain.JsonGrammar;
import ai.basalt.generate.constrain.TokenConstraint;
import ai.basalt.generate.constrain.TokenVocabulary;
import ai.basalt.generate.chat.ChatTemplate;
import ai.basalt.generate.chat.ChatTemplates;
import ai.basalt.model.LanguageModel;
import java.nio.file.Path;
import java.time.Instant;

/** A loaded model as the server offers it: the model, its chat template and the scheduler that runs it. */
public final class ServedModel implements AutoCloseable {
    private final String name;
    private final Path file;
    private final long bytes;
    private final LanguageModel model;
    private final ChatTemplate template;
    private final Scheduler scheduler;
    private final Instant loadedAt = Instant.now();
    private final ServerMetrics metrics;
    private TokenVocabulary tokenVocabulary;

    ServedModel(String name, Path file, long bytes, LanguageModel model, ServerOptions options, ServerMetrics metrics) {
        this.metrics = metrics;
        this.name = name;
        this.file = file;
        this.bytes = bytes;
        this.model = model;
        this.template = ChatTemplates.forModel(model);
        this.scheduler = new Scheduler(name, model, Math.min(model.contextLength(), options.contextLength()),
                options.queueCapacity(), options.batchSize(), metrics);
    }

    public String name() {
        return name;
    }

    public Path file() {
        return file;
    }

    /** Bytes of the model's files. */
    public long bytes() {
        return bytes;
    }

    public LanguageModel model() {
        return model;
    }

    public ChatTemplate template() {
        return template;
    }

    public ServerMetrics metrics() {
        return metrics;
    }

    public Scheduler scheduler() {
        return scheduler;
    }

    public Instant loadedAt() {
        return loadedAt;
    }

    /** The context a request may fill, prompt and reply together. */
    public int contextLength() {
        return scheduler.contextLength();
    }

    /**
     * The embedding of {@code text} ({@link LanguageModel#embed}), with its token count; one at a time per model, beside
     * the scheduler's generations.
     *
     * @throws ApiException 400 when the model gives no embeddings or the text is empty or over the context
     */
    public synchronized Embedding embed(String text) {
        int[] tokens = tokenizePrompt(text);
        if (tokens.length == 0) throw ApiException.badField("input", "cannot embed an empty input");
        if (tokens.length > contextLength()) {
            throw new ApiException(ApiException.Kind.BAD_REQUEST, "the input is " + tokens.length
                    + " tokens, over the context of " + contextLength() + " tokens that model '" + name + "' serves", "input",
                    "context_length_exceeded");
        }
        try {
            return new Embedding(model.embed(tokens), tokens.length);
        } catch (UnsupportedOperationException e) {
            throw ApiException.badField("model", "model '" + name + "' does not give embeddings: " + e.getMessage());
        }
    }

    /** Whether the model's class gives embeddings (overrides {@link LanguageModel#embed}). */
    public boolean givesEmbeddings() {
        try {
            return model.getClass().getMethod("embed", int[].class).getDeclaringClass() != LanguageModel.class;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    /** An embedding and the tokens it took. */
    public record Embedding(float[] vector, int tokens) {}

    /** The vocabulary as constrained decoding walks it, built on first use (a few hundred milliseconds). */
    public synchronized TokenVocabulary tokenVocabulary() {
        if (tokenVocabulary == null) tokenVocabulary = TokenVocabulary.of(model.tokenizer());
        return tokenVocabulary;
    }

    /** A constraint holding one generation to {@code grammar}; it may end on EOS or any of {@code params}' stop tokens. */
    public TokenConstraint constraint(JsonGrammar grammar, GenerationParams params) {
        java.util.Set<Integer> ends = new java.util.TreeSet<>(params.stopTokens());
        int eos = model.tokenizer().vocabulary().eos();
        if (eos >= 0) ends.add(eos);
        return new GrammarConstraint(grammar, tokenVocabulary(), ends.stream().mapToInt(Integer::intValue).toArray());
    }

    /**
     * Token ids of text rendered by the chat template: BOS first where the vocabulary has one, unless the template
     * already wrote it; special-token text recognised.
     */
    public int[] tokenizeChat(String rendered) {
        return ChatSession.tokenize(model, rendered);
    }

    /** Token ids of a plain prompt, as a fresh sequence begins (BOS where the vocabulary asks for it). */
    public int[] tokenizePrompt(String prompt) {
        return model.tokenizer().encode(prompt, true, true);
    }

    @Override
    public void close() {
        scheduler.close();
        model.close();
    }
}

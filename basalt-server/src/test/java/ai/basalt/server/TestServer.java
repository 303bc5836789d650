package ai.basalt.server;

import ai.basalt.generate.GenerationParams;
import ai.basalt.generate.Session;
import ai.basalt.generate.TokenListener;
import ai.basalt.generate.chat.ChatMessage;
import ai.basalt.generate.chat.ChatSession;
import ai.basalt.generate.chat.ChatTemplate;
import ai.basalt.generate.chat.ChatTemplates;
import ai.basalt.model.LanguageModel;
import ai.basalt.model.Models;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** A server on a loopback port offering the repository's built-in model (models/basalt-mini), for tests. */
final class TestServer {
    /** The model every test serves: committed in the repository, trained by Basalt. */
    static final Path MODEL = Path.of("..", "models", "basalt-mini", "basalt-mini.gguf");
    static final String NAME = "basalt-mini";
    static final int CONTEXT = 256;

    private TestServer() {}

    static BasaltServer start() {
        return start(ServerOptions.of(Map.of(NAME, MODEL)).withPort(0).withLimits(64 * 1024, 64, CONTEXT));
    }

    static BasaltServer start(ServerOptions options) {
        if (!Files.isRegularFile(MODEL)) throw new IllegalStateException(MODEL.toAbsolutePath() + " is missing");
        return BasaltServer.start(options);
    }

    /** What the engine alone answers to one user message, greedily: the oracle for the APIs' replies. */
    static String greedyChatReply(String user, int maxTokens) {
        try (LanguageModel model = Models.load(MODEL)) {
            ChatTemplate template = ChatTemplates.forModel(model);
            int[] prompt = ChatSession.tokenize(model, template.render(List.of(ChatMessage.user(user)), true, Map.of()));
            GenerationParams params = GenerationParams.greedy(maxTokens).withMoreStops(template.stop())
                    .withStopTokens(ChatTemplates.endOfTurnTokens(model.tokenizer().vocabulary()));
            return new Session(model, Math.min(CONTEXT, model.contextLength())).generate(prompt, params, TokenListener.NONE).text();
        }
    }

    /** The engine's own embedding of {@code text}: the oracle for the APIs' embeddings. */
    static float[] embedding(String text) {
        try (LanguageModel model = Models.load(MODEL)) {
            return model.embed(model.tokenizer().encode(text, true, true));
        }
    }

    /** What the engine alone continues a plain prompt with, greedily. */
    static String greedyCompletion(String prompt, int maxTokens) {
        try (LanguageModel model = Models.load(MODEL)) {
            int[] tokens = model.tokenizer().encode(prompt, true, true);
            return new Session(model, Math.min(CONTEXT, model.contextLength()))
                    .generate(tokens, GenerationParams.greedy(maxTokens), TokenListener.NONE).text();
        }
    }

    /**
     * The engine's greedy continuation of a plain prompt as (token, log-probability) pairs, the log-probabilities
     * computed here in double from the raw logits: the oracle for the APIs' logprobs. Stops at EOS.
     */
    static List<double[]> greedyCompletionLogprobs(String prompt, int maxTokens) {
        try (LanguageModel model = Models.load(MODEL)) {
            int[] tokens = model.tokenizer().encode(prompt, true, true);
            ai.basalt.model.InferenceState state = model.newState(Math.min(CONTEXT, model.contextLength()));
            float[] logits = model.prefill(state, tokens, 0, true);
            List<double[]> out = new java.util.ArrayList<>();
            int position = tokens.length;
            for (int step = 0; step < maxTokens; step++) {
                int best = 0;
                for (int t = 1; t < logits.length; t++) if (logits[t] > logits[best]) best = t;
                if (best == model.tokenizer().vocabulary().eos()) break;
                double max = logits[best], sum = 0;
                for (float l : logits) sum += Math.exp(l - max);
                out.add(new double[] {best, logits[best] - max - Math.log(sum)});
                logits = model.forward(state, best, position++, true);
            }
            return out;
        }
    }
}

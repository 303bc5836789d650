package ai.basalt.server.bedrock;

import ai.basalt.generate.GenerationParams;
import ai.basalt.generate.Session;
import ai.basalt.generate.TokenListener;
import ai.basalt.generate.chat.ChatMessage;
import ai.basalt.generate.chat.ChatSession;
import ai.basalt.generate.chat.ChatTemplate;
import ai.basalt.generate.chat.ChatTemplates;
import ai.basalt.model.LanguageModel;
import ai.basalt.model.Models;
import ai.basalt.server.BasaltServer;
import ai.basalt.server.ServerOptions;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The server and the engine-alone oracle for the Bedrock tests: the same model and limits as the server package's
 * {@code TestServer} (package-private there, so not reachable from this package).
 */
final class BedrockFixture {
    static final Path MODEL = Path.of("..", "models", "basalt-mini", "basalt-mini.gguf");
    static final String NAME = "basalt-mini";
    static final int CONTEXT = 256;

    private BedrockFixture() {}

    /** A server on a loopback port; with {@code keys}, requests must carry one of them. */
    static BasaltServer start(Set<String> keys) {
        if (!Files.isRegularFile(MODEL)) throw new IllegalStateException(MODEL.toAbsolutePath() + " is missing");
        return BasaltServer.start(ServerOptions.of(Map.of(NAME, MODEL)).withPort(0).withLimits(64 * 1024, 64, CONTEXT)
                .withApiKeys(keys));
    }

    static URI endpoint(BasaltServer server) {
        return URI.create("http://127.0.0.1:" + server.port());
    }

    /** What the engine alone answers to a conversation, greedily. */
    static String greedyChatReply(List<ChatMessage> messages, int maxTokens) {
        try (LanguageModel model = Models.load(MODEL)) {
            ChatTemplate template = ChatTemplates.forModel(model);
            int[] prompt = ChatSession.tokenize(model, template.render(messages, true, Map.of()));
            GenerationParams params = GenerationParams.greedy(maxTokens).withMoreStops(template.stop())
                    .withStopTokens(ChatTemplates.endOfTurnTokens(model.tokenizer().vocabulary()));
            return new Session(model, Math.min(CONTEXT, model.contextLength())).generate(prompt, params, TokenListener.NONE).text();
        }
    }

    /** What the engine alone continues a raw prompt with, greedily, the prompt read as InvokeModel reads it. */
    static String greedyContinuation(String prompt, int maxTokens) {
        try (LanguageModel model = Models.load(MODEL)) {
            return new Session(model, Math.min(CONTEXT, model.contextLength()))
                    .generate(ChatSession.tokenize(model, prompt), GenerationParams.greedy(maxTokens), TokenListener.NONE).text();
        }
    }
}

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
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;
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

    private static final StaticCredentialsProvider DUMMY =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "dummy-secret"));

    /** A synchronous client (URL-connection HTTP) for {@code server}, SigV4-signed with dummy credentials, no retries. */
    static BedrockRuntimeClient syncClient(BasaltServer server) {
        return BedrockRuntimeClient.builder().endpointOverride(endpoint(server)).region(Region.US_EAST_1)
                .credentialsProvider(DUMMY).httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
    }

    /** An asynchronous client on Netty speaking HTTP/2 over cleartext (h2c, prior knowledge), as {@link #syncClient}. */
    static BedrockRuntimeAsyncClient asyncClient(BasaltServer server) {
        return BedrockRuntimeAsyncClient.builder().endpointOverride(endpoint(server)).region(Region.US_EAST_1)
                .credentialsProvider(DUMMY).httpClient(NettyNioAsyncHttpClient.builder().protocol(Protocol.HTTP2).build())
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
    }

    /** The control plane's client (model listing), as {@link #syncClient}. */
    static software.amazon.awssdk.services.bedrock.BedrockClient controlClient(BasaltServer server) {
        return software.amazon.awssdk.services.bedrock.BedrockClient.builder().endpointOverride(endpoint(server))
                .region(Region.US_EAST_1).credentialsProvider(DUMMY).httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
    }

    /** The server's Prometheus text. */
    static String metrics(BasaltServer server) {
        try (java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient()) {
            return http.send(java.net.http.HttpRequest.newBuilder(endpoint(server).resolve("/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        } catch (java.io.IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
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

    /** The engine's own embedding of {@code text}: the oracle for InvokeModel's embedding bodies. */
    static float[] embedding(String text) {
        try (LanguageModel model = Models.load(MODEL)) {
            return model.embed(model.tokenizer().encode(text, true, true));
        }
    }
}

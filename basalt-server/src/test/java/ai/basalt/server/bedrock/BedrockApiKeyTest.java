package ai.basalt.server.bedrock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.basalt.server.BasaltServer;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.auth.token.credentials.SdkToken;
import software.amazon.awssdk.auth.token.credentials.StaticTokenProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClientBuilder;
import software.amazon.awssdk.services.bedrockruntime.auth.scheme.BedrockRuntimeAuthSchemeProvider;
import software.amazon.awssdk.services.bedrockruntime.model.AccessDeniedException;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ConversationRole;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseRequest;

/** A server with API keys takes them as Bedrock API keys (bearer tokens) and refuses SigV4 alone. */
class BedrockApiKeyTest {
    private static final String KEY = "bedrock-test-key";
    private static BasaltServer server;

    @BeforeAll
    static void start() {
        server = BedrockFixture.start(Set.of(KEY));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /**
     * A client over Apache's HTTP client (the SDK's default): {@code HttpURLConnection} does not hand a 401's body over
     * for a request it streamed, so the SDK's URL-connection client reports no message for it.
     */
    private static BedrockRuntimeClient client(Consumer<BedrockRuntimeClientBuilder> auth) {
        BedrockRuntimeClientBuilder b = BedrockRuntimeClient.builder().endpointOverride(BedrockFixture.endpoint(server))
                .region(Region.US_EAST_1).httpClient(Apache5HttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "dummy-secret")))
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()));
        auth.accept(b);
        return b.build();
    }

    /** A token provider with the bearer scheme preferred over SigV4, as the SDK does for AWS_BEARER_TOKEN_BEDROCK. */
    private static Consumer<BedrockRuntimeClientBuilder> bearer(String key) {
        SdkToken token = () -> key;
        return b -> b.tokenProvider(StaticTokenProvider.create(token))
                .authSchemeProvider(BedrockRuntimeAuthSchemeProvider.defaultProvider(List.of("httpBearerAuth")));
    }

    private static ConverseRequest hello() {
        return ConverseRequest.builder().modelId(BedrockFixture.NAME)
                .messages(m -> m.role(ConversationRole.USER).content(ContentBlock.fromText("Hello.")))
                .inferenceConfig(c -> c.maxTokens(4).temperature(0f)).build();
    }

    @Test
    void aBedrockApiKeyIsAccepted() {
        try (BedrockRuntimeClient client = client(bearer(KEY))) {
            assertThat(client.converse(hello()).usage().outputTokens()).isBetween(1, 4);
        }
    }

    @Test
    void theSdksBearerTokenSettingIsAccepted() {
        // what AWS_BEARER_TOKEN_BEDROCK does, through its system-property twin, read when the client is built
        System.setProperty("aws.bearerTokenBedrock", KEY);
        try (BedrockRuntimeClient client = client(b -> {})) {
            assertThat(client.converse(hello()).usage().outputTokens()).isBetween(1, 4);
        } finally {
            System.clearProperty("aws.bearerTokenBedrock");
        }
    }

    @Test
    void aSigV4SignatureAloneIsAccessDenied() {
        try (BedrockRuntimeClient client = client(b -> {})) {
            assertThatThrownBy(() -> client.converse(hello())).isInstanceOf(AccessDeniedException.class)
                    .hasMessageContaining("AWS_BEARER_TOKEN_BEDROCK")
                    .satisfies(e -> assertThat(((AccessDeniedException) e).statusCode()).isEqualTo(401));
        }
    }

    @Test
    void aWrongKeyIsAccessDenied() {
        try (BedrockRuntimeClient client = client(bearer("not-the-key"))) {
            assertThatThrownBy(() -> client.converse(hello())).isInstanceOf(AccessDeniedException.class)
                    .hasMessageContaining("invalid API key");
        }
    }
}

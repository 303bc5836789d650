package ai.basalt.server.bedrock;

import ai.basalt.server.BasaltServer;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ConversationRole;
import software.amazon.awssdk.services.bedrockruntime.model.Message;

/** A test class's server (no API keys) and the AWS SDK's sync and async Bedrock clients pointed at it. */
abstract class BedrockServerTest {
    static BasaltServer server;
    static BedrockRuntimeClient client;
    static BedrockRuntimeAsyncClient async;

    @BeforeAll
    static void startServerAndClients() {
        server = BedrockFixture.start(Set.of());
        client = BedrockFixture.syncClient(server);
        async = BedrockFixture.asyncClient(server);
    }

    @AfterAll
    static void stopServerAndClients() {
        client.close();
        async.close();
        server.close();
    }

    /** A user message of one text block. */
    static Message user(String text) {
        return Message.builder().role(ConversationRole.USER).content(ContentBlock.fromText(text)).build();
    }
}

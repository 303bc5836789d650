package ai.basalt.server;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** A test class's server (the built-in model on a loopback port) and an openai-java client pointed at it. */
abstract class OpenAiServerTest {
    static BasaltServer server;
    static OpenAIClient client;

    @BeforeAll
    static void startServerAndClient() {
        server = TestServer.start();
        client = OpenAIOkHttpClient.builder().baseUrl("http://127.0.0.1:" + server.port() + "/v1").apiKey("unused").build();
    }

    @AfterAll
    static void stopServerAndClient() {
        client.close();
        server.close();
    }
}

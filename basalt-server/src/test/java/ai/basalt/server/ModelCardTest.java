package ai.basalt.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Model cards: the Markdown kept beside a model, shown by Ollama's {@code /api/show}. */
class ModelCardTest {

    private static JsonNode show(BasaltServer server, String model) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + server.port() + "/api/show")).POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.MAPPER.readTree(r.body());
    }

    @Test
    void theBuiltInModelsCardIsShown() throws Exception {
        try (BasaltServer server = TestServer.start()) {
            JsonNode shown = show(server, TestServer.NAME);
            assertThat(shown.get("model_card").asText())
                    .isEqualTo(Files.readString(TestServer.MODEL.resolveSibling("MODEL_CARD.md")));
            assertThat(shown.get("capabilities").toString()).contains("completion", "embedding");
            assertThat(shown.get("details").get("family").asText()).isEqualTo("llama");
        }
    }

    @Test
    void aCardNamedAfterTheFileWinsAndAModelWithoutOneShowsNone(@TempDir Path dir) throws Exception {
        Path named = dir.resolve("named.gguf");
        Path bare = dir.resolve("sub").resolve("bare.gguf");
        Files.createDirectories(bare.getParent());
        Files.copy(TestServer.MODEL, named);
        Files.copy(TestServer.MODEL, bare);
        Files.writeString(dir.resolve("named.md"), "# named\nA card of its own.\n");
        Files.writeString(dir.resolve("MODEL_CARD.md"), "# the folder's card\n");
        try (BasaltServer server = TestServer.start(ServerOptions.of(Map.of("named", named, "bare", bare)).withPort(0))) {
            assertThat(show(server, "named").get("model_card").asText()).isEqualTo("# named\nA card of its own.\n");
            assertThat(show(server, "bare").has("model_card")).isFalse();
        }
    }
}

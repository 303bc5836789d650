package ai.basalt.server.bedrock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.basalt.server.Json;
import com.fasterxml.jackson.databind.JsonNode;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelResponse;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelWithResponseStreamRequest;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelWithResponseStreamResponseHandler;
import software.amazon.awssdk.services.bedrockruntime.model.ValidationException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * Embeddings through the AWS SDK's InvokeModel, in the bodies of Bedrock's Titan and Cohere embedding models; the
 * vectors are the engine's own ({@link BedrockFixture#embedding}).
 */
class BedrockEmbeddingTest extends BedrockServerTest {

    private static JsonNode invoke(String body) {
        InvokeModelResponse r = client.invokeModel(b -> b.modelId(BedrockFixture.NAME).contentType("application/json")
                .accept("application/json").body(SdkBytes.fromUtf8String(body)));
        return Json.object(r.body().asByteArray());
    }

    private static void assertVector(JsonNode actual, float[] expected) {
        assertThat(actual.size()).isEqualTo(expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual.get(i).floatValue()).as("component %d", i).isEqualTo(expected[i]);
        }
    }

    @Test
    void titanBodyGetsTheEnginesEmbedding() {
        float[] expected = BedrockFixture.embedding("The sea was calm.");
        JsonNode out = invoke("{\"inputText\": \"The sea was calm.\", \"dimensions\": " + expected.length
                + ", \"normalize\": true, \"embeddingTypes\": [\"float\"]}");
        assertVector(out.get("embedding"), expected);
        assertVector(out.get("embeddingsByType").get("float"), expected);
        assertThat(out.get("inputTextTokenCount").asInt()).isPositive();
    }

    @Test
    void cohereBodyEmbedsEveryTextInOrder() {
        float[] a = BedrockFixture.embedding("The sea was calm.");
        float[] b = BedrockFixture.embedding("A storm came over the hills.");
        JsonNode out = invoke("{\"texts\": [\"The sea was calm.\", \"A storm came over the hills.\"], "
                + "\"input_type\": \"search_document\"}");
        assertThat(out.get("response_type").asText()).isEqualTo("embeddings_floats");
        assertVector(out.get("embeddings").get(0), a);
        assertVector(out.get("embeddings").get(1), b);
        assertThat(out.get("texts").get(1).asText()).isEqualTo("A storm came over the hills.");

        JsonNode byType = invoke("{\"texts\": [\"The sea was calm.\"], \"input_type\": \"search_query\", "
                + "\"embedding_types\": [\"float\"]}");
        assertThat(byType.get("response_type").asText()).isEqualTo("embeddings_by_type");
        assertVector(byType.get("embeddings").get("float").get(0), a);
    }

    @Test
    void whatCannotBeHonouredIsAValidationExceptionNamingTheField() {
        assertThatThrownBy(() -> invoke("{\"inputText\": \"x\", \"dimensions\": 3}")).isInstanceOf(ValidationException.class)
                .hasMessageContaining("'dimensions' 3");
        assertThatThrownBy(() -> invoke("{\"inputText\": \"x\", \"embeddingTypes\": [\"binary\"]}"))
                .isInstanceOf(ValidationException.class).hasMessageContaining("embeddingTypes");
        assertThatThrownBy(() -> invoke("{\"texts\": [\"x\"]}")).isInstanceOf(ValidationException.class)
                .hasMessageContaining("'input_type' must be one of");
        assertThatThrownBy(() -> invoke("{\"texts\": [\"x\"], \"input_type\": \"clustering\", \"colour\": 1}"))
                .isInstanceOf(ValidationException.class).hasMessageContaining("'colour' is not a field of the Cohere embedding body");
        var handler = InvokeModelWithResponseStreamResponseHandler.builder()
                .subscriber(InvokeModelWithResponseStreamResponseHandler.Visitor.builder().build()).build();
        assertThatThrownBy(() -> async.invokeModelWithResponseStream(InvokeModelWithResponseStreamRequest.builder()
                .modelId(BedrockFixture.NAME).contentType("application/json")
                .body(SdkBytes.fromUtf8String("{\"inputText\": \"x\"}")).build(), handler).join())
                .isInstanceOf(CompletionException.class).hasRootCauseInstanceOf(ValidationException.class)
                .rootCause().hasMessageContaining("do not stream");
    }
}

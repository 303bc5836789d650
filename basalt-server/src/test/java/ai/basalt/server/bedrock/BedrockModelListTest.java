package ai.basalt.server.bedrock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.bedrock.BedrockClient;
import software.amazon.awssdk.services.bedrock.model.FoundationModelSummary;
import software.amazon.awssdk.services.bedrock.model.ModelModality;
import software.amazon.awssdk.services.bedrock.model.ResourceNotFoundException;

/** The model list through the AWS SDK's Bedrock control-plane client, and a listed model used through the runtime. */
class BedrockModelListTest extends BedrockServerTest {
    static BedrockClient control;

    @BeforeAll
    static void startControlClient() {
        control = BedrockFixture.controlClient(server);
    }

    @AfterAll
    static void stopControlClient() {
        control.close();
    }

    @Test
    void listsTheModelsOnOfferAndEachCanBeFetchedAndCalled() {
        List<FoundationModelSummary> models = control.listFoundationModels(b -> {}).modelSummaries();
        assertThat(models).extracting(FoundationModelSummary::modelId).containsExactly(BedrockFixture.NAME);
        FoundationModelSummary m = models.get(0);
        assertThat(m.providerName()).isEqualTo("Basalt");
        assertThat(m.outputModalities()).containsExactly(ModelModality.TEXT);
        assertThat(m.responseStreamingSupported()).isTrue();

        assertThat(control.getFoundationModel(b -> b.modelIdentifier(m.modelId())).modelDetails().modelArn())
                .isEqualTo(m.modelArn());
        assertThat(control.getFoundationModel(b -> b.modelIdentifier(m.modelArn())).modelDetails().modelId())
                .isEqualTo(BedrockFixture.NAME);
        String reply = client.converse(b -> b.modelId(m.modelId()).messages(user("Hello"))
                .inferenceConfig(c -> c.maxTokens(4).temperature(0f))).output().message().content().get(0).text();
        assertThat(reply).isNotEmpty();
    }

    @Test
    void filtersSelectAsBedrocksDo() {
        assertThat(control.listFoundationModels(b -> b.byProvider("basalt")).modelSummaries()).hasSize(1);
        assertThat(control.listFoundationModels(b -> b.byProvider("Anthropic")).modelSummaries()).isEmpty();
        assertThat(control.listFoundationModels(b -> b.byOutputModality(ModelModality.IMAGE)).modelSummaries()).isEmpty();
        assertThat(control.listFoundationModels(b -> b.byCustomizationType("FINE_TUNING")).modelSummaries()).isEmpty();
    }

    @Test
    void anUnknownModelIsResourceNotFound() {
        assertThatThrownBy(() -> control.getFoundationModel(b -> b.modelIdentifier("no-such-model")))
                .isInstanceOf(ResourceNotFoundException.class).hasMessageContaining("no-such-model");
    }
}

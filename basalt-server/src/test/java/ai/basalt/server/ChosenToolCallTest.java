package ai.basalt.server;

import static org.assertj.core.api.Assertions.assertThat;

import ai.basalt.tokenizer.ByteLevelBpeTokenizer;
import ai.basalt.tokenizer.HuggingFaceTokenizerJson;
import ai.basalt.tokenizer.training.BpeTrainer;
import ai.basalt.train.ConfigKey;
import ai.basalt.train.ModelFactory;
import ai.basalt.train.Trainer;
import ai.basalt.train.TrainingListener;
import ai.basalt.train.TrainingResult;
import ai.basalt.train.data.DataPreparer;
import ai.basalt.train.data.PrepareOptions;
import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.ollama.OllamaChatModel;
import io.github.ollama4j.Ollama;
import io.github.ollama4j.models.chat.OllamaChatMessageRole;
import io.github.ollama4j.models.chat.OllamaChatRequest;
import io.github.ollama4j.models.chat.OllamaChatResult;
import io.github.ollama4j.models.chat.OllamaChatToolCalls;
import io.github.ollama4j.tools.Tools;
import io.github.ollama4j.utils.OptionsBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tool calls the model itself decides to make: through the Ollama API, which has no {@code tool_choice}, and through
 * OpenAI's with {@code tool_choice} auto (unconstrained: the server only recognises a call in the reply). The
 * repository's prose model never calls by itself, so this class trains one that does (a tiny GPT-2, a few
 * seconds with Basalt's trainer and a byte-level BPE vocabulary trained on the same text) on transcripts in the server's fallback chat format where the assistant answers a
 * weather question with a {@code get_weather} call. Served, it calls the tool for ollama4j and LangChain4j, and the
 * server turns the reply into each API's {@code tool_calls}.
 */
class ChosenToolCallTest {
    private static final String NAME = "weather-bot";
    private static final String CALL = "{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}";
    private static final List<String> QUESTIONS = List.of("What is the weather in Paris?", "How is the weather in Paris today?",
            "Is it raining in Paris?", "Tell me the weather in Paris.", "What's the weather like in Paris?");

    @TempDir
    static Path dir;
    static BasaltServer server;

    @BeforeAll
    static void trainAndServe() throws Exception {
        StringBuilder corpus = new StringBuilder();
        // the server's description of the tools, as clients' schemas come (with and without "type": "object")
        String intro = "To call a function, reply with only {\"name\": NAME, \"arguments\": {...}}. Functions:\n"
                + "get_weather (The weather in a city): ";
        List<String> schemas = List.of("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}",
                "{\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}");
        for (int i = 0; i < 60; i++) {
            corpus.append(intro).append(schemas.get(i % 2)).append("\n\n");
            for (int turn = 0; turn < 8; turn++) {
                corpus.append("User: ").append(QUESTIONS.get((i + turn) % QUESTIONS.size())).append('\n');
                corpus.append("Assistant: ").append(CALL).append('\n');
            }
        }
        Path text = dir.resolve("corpus.txt");
        Files.writeString(text, corpus, StandardCharsets.UTF_8);
        // byte-level BPE: any prompt tokenizes, and the call is a few tokens to learn
        ByteLevelBpeTokenizer tokenizer = new BpeTrainer(new BpeTrainer.Config(400, List.of("<|endoftext|>")))
                .train(corpus.toString());
        Path tokenizerFile = dir.resolve("tokenizer.json");
        HuggingFaceTokenizerJson.write(tokenizer, tokenizerFile);
        Path data = dir.resolve("data");
        new DataPreparer(tokenizer, PrepareOptions.defaults()).prepare(List.of(text), data, DataPreparer.Progress.NONE);

        Map<ConfigKey, Object> s = new EnumMap<>(ConfigKey.class);
        s.put(ConfigKey.DATA, data);
        s.put(ConfigKey.TOKENIZER, tokenizerFile);
        s.put(ConfigKey.LAYERS, 2);
        s.put(ConfigKey.HEADS, 4);
        s.put(ConfigKey.DIM, 64);
        s.put(ConfigKey.CONTEXT, 192);
        s.put(ConfigKey.BATCH, 8);
        s.put(ConfigKey.STEPS, 400L);
        s.put(ConfigKey.LR, 6e-3);
        s.put(ConfigKey.WARMUP, 20L);
        s.put(ConfigKey.EVAL_INTERVAL, 400L);
        s.put(ConfigKey.EVAL_BATCHES, 2);
        s.put(ConfigKey.THREADS, Math.min(2, Runtime.getRuntime().availableProcessors()));
        s.put(ConfigKey.OUT, dir.resolve(NAME));
        TrainingResult trained = new Trainer(ConfigKey.resolve(s), ModelFactory.standard(), TrainingListener.NONE).run(false);
        server = BasaltServer.start(ServerOptions.of(Map.of(NAME, trained.gguf())).withPort(0));
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    private static Tools.Tool weatherTool() {
        Map<String, Tools.Property> properties = new LinkedHashMap<>();
        properties.put("city", Tools.Property.builder().type("string").required(true).build());
        return Tools.Tool.builder().type("function")
                .toolSpec(Tools.ToolSpec.builder().name("get_weather").description("The weather in a city")
                        .parameters(Tools.Parameters.of(properties)).build())
                .toolFunction(args -> "sunny").build();
    }

    @Test
    void ollama4jGetsTheCallTheModelChoseToMake() throws Exception {
        Ollama ollama = new Ollama("http://127.0.0.1:" + server.port());
        ollama.setRequestTimeoutSeconds(120);
        ollama.setMaxChatToolCallRetries(0); // hand the call back instead of running the tool and asking again
        OllamaChatRequest request = OllamaChatRequest.builder().withModel(NAME)
                .withMessage(OllamaChatMessageRole.USER, "What is the weather in Paris?")
                .withOptions(new OptionsBuilder().setTemperature(0f).setNumPredict(48).build()).build()
                .withTools(new ArrayList<>(List.of(weatherTool())));

        OllamaChatResult r = ollama.chat(request, null);

        List<OllamaChatToolCalls> calls = r.getResponseModel().getMessage().getToolCalls();
        assertThat(calls).as("reply: %s to %s", r.getResponseModel().getMessage().getResponse(),
                io.github.ollama4j.utils.Utils.getObjectMapper().writeValueAsString(request)).hasSize(1);
        assertThat(calls.get(0).getFunction().getName()).isEqualTo("get_weather");
        assertThat(calls.get(0).getFunction().getArguments()).containsEntry("city", "Paris");
    }

    @Test
    void langChain4jGetsTheCallTheModelChoseToMake() {
        OllamaChatModel model = OllamaChatModel.builder().baseUrl("http://127.0.0.1:" + server.port()).modelName(NAME)
                .temperature(0.0).numPredict(48).timeout(Duration.ofMinutes(2)).build();
        ToolSpecification weather = ToolSpecification.builder().name("get_weather").description("The weather in a city")
                .parameters(JsonObjectSchema.builder().addStringProperty("city").required("city").build()).build();

        ChatResponse r = model.chat(ChatRequest.builder().messages(UserMessage.from("Is it raining in Paris?"))
                .toolSpecifications(weather).build());

        assertThat(r.aiMessage().hasToolExecutionRequests()).as("reply: %s", r.aiMessage().text()).isTrue();
        ToolExecutionRequest call = r.aiMessage().toolExecutionRequests().get(0);
        assertThat(call.name()).isEqualTo("get_weather");
        JsonNode arguments = Json.object(call.arguments().getBytes(StandardCharsets.UTF_8));
        assertThat(arguments.get("city").asText()).isEqualTo("Paris");
    }

    @Test
    void openAiJavaGetsTheCallInAutoMode() throws Exception {
        com.openai.models.FunctionParameters.Builder p = com.openai.models.FunctionParameters.builder();
        Map.<String, Object>of("type", "object", "properties", Map.of("city", Map.of("type", "string")), "required", List.of("city"))
                .forEach((k, v) -> p.putAdditionalProperty(k, com.openai.core.JsonValue.from(v)));
        com.openai.client.OpenAIClient client = com.openai.client.okhttp.OpenAIOkHttpClient.builder()
                .baseUrl("http://127.0.0.1:" + server.port() + "/v1").apiKey("unused").build();
        try {
            var c = client.chat().completions().create(com.openai.models.chat.completions.ChatCompletionCreateParams.builder()
                    .model(NAME).addUserMessage("What is the weather in Paris?")
                    .addFunctionTool(com.openai.models.FunctionDefinition.builder().name("get_weather")
                            .description("The weather in a city").parameters(p.build()).build())
                    .toolChoice(com.openai.models.chat.completions.ChatCompletionToolChoiceOption.Auto.AUTO)
                    .temperature(0.0).maxCompletionTokens(48).build());
            var choice = c.choices().get(0);
            assertThat(choice.finishReason().asString()).as("reply: %s", choice.message().content()).isEqualTo("tool_calls");
            var call = choice.message().toolCalls().orElseThrow().get(0).asFunction().function();
            assertThat(call.name()).isEqualTo("get_weather");
            assertThat(Json.object(call.arguments().getBytes(StandardCharsets.UTF_8)).get("city").asText()).isEqualTo("Paris");
        } finally {
            client.close();
        }
    }

    @Test
    void withoutToolsTheSameQuestionIsAnsweredInText() throws Exception {
        Ollama ollama = new Ollama("http://127.0.0.1:" + server.port());
        ollama.setRequestTimeoutSeconds(120);
        OllamaChatResult r = ollama.chat(OllamaChatRequest.builder().withModel(NAME)
                .withMessage(OllamaChatMessageRole.USER, "What is the weather in Paris?")
                .withOptions(new OptionsBuilder().setTemperature(0f).setNumPredict(48).build()).build(), null);
        assertThat(r.getResponseModel().getMessage().getToolCalls()).as("no tools offered, no call").isNullOrEmpty();
        assertThat(r.getResponseModel().getMessage().getResponse()).contains("get_weather");
    }
}

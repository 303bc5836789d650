package ai.basalt.generate.constrain;

import static org.assertj.core.api.Assertions.assertThat;

import ai.basalt.generate.sampling.SamplerChain;
import ai.basalt.generate.sampling.SamplingParams;
import ai.basalt.model.InferenceState;
import ai.basalt.model.LanguageModel;
import ai.basalt.model.Models;
import ai.basalt.tokenizer.Tokenizer;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * basalt-mini (a prose model that has never seen JSON) sampled at high temperature under a constraint writes
 * documents that parse and validate, for several schemas and seeds (the tokens' bytes joined, as a server's
 * streaming decoder would give them). The generation loop is the one a server
 * runs: mask before sampling, accept after.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConstrainedGenerationTest {
    private static final ObjectMapper STRICT = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final float TEMPERATURE = 1.5f;
    private static final long[] SEEDS = {1, 2, 3, 4, 5};
    private LanguageModel model;
    private TokenVocabulary vocabulary;

    @BeforeAll
    void load() {
        Path file = Path.of("..", "models", "basalt-mini", "basalt-mini.gguf");
        assertThat(file).as("the built-in model in the source tree").isRegularFile();
        model = Models.load(file);
        vocabulary = TokenVocabulary.of(model.tokenizer());
    }

    @AfterAll
    void close() {
        if (model != null) model.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        """
        {"type":"object","properties":{"name":{"type":"string","maxLength":16},"age":{"type":"integer"},
         "married":{"type":"boolean"}},"required":["name","age","married"],"additionalProperties":false}""",
        """
        {"type":"object","properties":{"book":{"enum":["Genesis","Exodus","Emma","Persuasion"]},
         "verses":{"type":"array","items":{"type":"integer"},"minItems":1,"maxItems":3},
         "note":{"type":["string","null"],"maxLength":10}},"required":["book","verses"]}""",
        """
        {"$defs":{"person":{"type":"object","properties":{"name":{"type":"string","minLength":1,"maxLength":8},
         "title":{"anyOf":[{"const":"Mr."},{"const":"Mrs."},{"type":"null"}]}},"required":["name","title"]}},
         "type":"object","properties":{"speaker":{"$ref":"#/$defs/person"},"listeners":{"type":"array",
         "items":{"$ref":"#/$defs/person"},"maxItems":2},"year":{"type":"number"}},"required":["speaker","listeners"]}""",
        """
        {"type":"array","items":{"type":"object","properties":{"word":{"type":"string","maxLength":6},
         "count":{"type":"integer"}},"required":["word"]},"minItems":2,"maxItems":3}"""
    })
    void sampledDocumentsValidateAgainstTheSchema(String schemaText) throws Exception {
        JsonNode schema = STRICT.readTree(schemaText);
        JsonGrammar grammar = JsonGrammar.fromSchema(schema);
        for (long seed : SEEDS) {
            Generated g = generate(grammar, "It is a truth universally acknowledged", seed);
            assertThat(g.ended()).as("seed %d ended within the context: %s", seed, g.text()).isTrue();
            String text = g.text();
            JsonNode parsed = STRICT.readTree(text);
            assertThat(StrictValidator.valid(schema, parsed)).as("seed %d: %s", seed, text).isTrue();
        }
    }

    /**
     * json_object: basalt-mini never closes an unbounded object within its 256-token context (after each member its
     * prose habits favour a comma over the closing brace: 0 of 10 seeds did at temperature 1.0 or 1.5, with whitespace
     * runs of 9 or 1), so what is checked is that the whole context's worth of sampled text is a live prefix of an
     * object, and that any document that did end parses as one.
     */
    @Test
    void jsonObjectModeWritesAnObjectOrItsLivePrefix() throws Exception {
        for (long seed : SEEDS) {
            Generated g = generate(JsonGrammar.anyObject(), "Call me Ishmael.", seed);
            if (g.ended()) {
                assertThat(STRICT.readTree(g.text()).isObject()).as("seed %d: %s", seed, g.text()).isTrue();
            } else {
                GrammarMatcher m = JsonGrammar.anyObject().matcher();
                assertThat(m.accept(g.text())).as("seed %d: live prefix %s", seed, g.text()).isTrue();
                assertThat(g.text().strip()).startsWith("{");
                assertThat(g.tokens()).as("seed %d: tokens generated", seed).isGreaterThan(200);
            }
        }
    }

    private record Generated(String text, boolean ended, int tokens) {}

    /** Samples under {@code grammar} until an end token or the end of the context. */
    private Generated generate(JsonGrammar grammar, String prompt, long seed) {
        Tokenizer tokenizer = model.tokenizer();
        int[] promptTokens = tokenizer.encode(prompt, true, true);
        InferenceState state = model.newState(model.contextLength());
        GrammarConstraint constraint = new GrammarConstraint(grammar, vocabulary);
        ConstrainedChain chain = new ConstrainedChain(
                SamplerChain.of(new SamplingParams(TEMPERATURE, 0, 1f, 0f, 1f, 64, seed)), constraint);
        float[] logits = model.prefill(state, promptTokens, 0, true);
        for (int t : promptTokens) chain.acceptPrompt(t);
        List<Integer> generated = new ArrayList<>();
        for (int position = promptTokens.length; ; position++) {
            int token = chain.sample(logits);
            chain.accept(token);
            if (constraint.ended()) break;
            generated.add(token);
            if (position + 1 >= model.contextLength()) break;
            logits = model.forward(state, token, position, true);
        }
        return new Generated(decode(generated), constraint.ended(), generated.size());
    }

    private String decode(List<Integer> tokens) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int t : tokens) out.writeBytes(vocabulary.bytes(t));
        return out.toString(StandardCharsets.UTF_8);
    }
}

package ai.basalt.generate.constrain;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * The matcher accepts exactly the valid documents of the canonical shape: random instances of random schemas,
 * written with random whitespace, are accepted with every prefix live; random tree mutations are accepted exactly
 * when an independent validator ({@link StrictValidator}) finds them valid; and whatever a random byte edit makes,
 * the matcher never accepts text that Jackson rejects or that the validator finds invalid.
 */
class JsonGrammarPropertyTest {
    private static final ObjectMapper STRICT = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    @Property(tries = 400)
    void instancesAreAcceptedAndEveryPrefixIsLive(@ForAll long seed) {
        RandomJson random = new RandomJson(seed);
        JsonNode schema = random.schema(3);
        JsonGrammar grammar = JsonGrammar.fromSchema(schema);
        for (int k = 0; k < 5; k++) {
            JsonNode value = random.instance(schema, schema, 3);
            assertThat(StrictValidator.valid(schema, value)).as("generator's instance %s of %s", value, schema).isTrue();
            String text = random.write(value, JsonGrammar.DEFAULT_MAX_WHITESPACE);
            GrammarMatcher m = grammar.matcher();
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < bytes.length; i++) {
                assertThat(m.accept(bytes[i])).as("prefix of %d bytes of %s under %s", i + 1, text, schema).isTrue();
            }
            assertThat(m.isComplete()).as("%s under %s", text, schema).isTrue();
        }
    }

    @Property(tries = 600)
    void mutationsAreAcceptedExactlyWhenValid(@ForAll long seed) {
        RandomJson random = new RandomJson(seed);
        JsonNode schema = random.schema(3);
        JsonGrammar grammar = JsonGrammar.fromSchema(schema);
        JsonNode value = random.instance(schema, schema, 3);
        for (int k = 0; k < 5; k++) {
            JsonNode mutated = random.mutate(value);
            String text = random.write(mutated, JsonGrammar.DEFAULT_MAX_WHITESPACE);
            assertThat(GrammarMatcher.matches(grammar, text))
                    .as("accepts %s under %s", text, schema)
                    .isEqualTo(StrictValidator.valid(schema, mutated));
        }
    }

    @Property(tries = 600)
    void byteEditsAreNeverAcceptedWhenInvalid(@ForAll long seed) throws Exception {
        RandomJson random = new RandomJson(seed);
        JsonNode schema = random.schema(3);
        JsonGrammar grammar = JsonGrammar.fromSchema(schema);
        byte[] bytes = random.write(random.instance(schema, schema, 3), JsonGrammar.DEFAULT_MAX_WHITESPACE)
                .getBytes(StandardCharsets.UTF_8);
        for (int k = 0; k < 5; k++) {
            byte[] edited = edit(bytes, random.random());
            GrammarMatcher m = grammar.matcher();
            if (!m.accept(edited) || !m.isComplete()) continue;
            JsonNode parsed = STRICT.readTree(edited);
            assertThat(StrictValidator.valid(schema, parsed))
                    .as("accepted %s under %s", new String(edited, StandardCharsets.UTF_8), schema).isTrue();
        }
    }

    @Property(tries = 300)
    void anyObjectAcceptsObjectsAndTheirPrefixesOnly(@ForAll long seed) {
        RandomJson random = new RandomJson(seed);
        JsonNode value = random.anyValue(4);
        String text = random.write(value, JsonGrammar.DEFAULT_MAX_WHITESPACE);
        GrammarMatcher m = JsonGrammar.anyObject().matcher();
        boolean live = m.accept(text);
        assertThat(live && m.isComplete()).as(text).isEqualTo(value.isObject());
        if (value.isObject()) {
            String cut = text.substring(0, text.length() - 1);
            GrammarMatcher prefix = JsonGrammar.anyObject().matcher();
            assertThat(prefix.accept(cut)).as(cut).isTrue();
            assertThat(prefix.isComplete()).as(cut).isFalse();
        }
    }

    private static byte[] edit(byte[] bytes, java.util.Random r) {
        byte[] pool = "{}[]\",:0123456789-+.eEtrufalsn \\x\u00e9".getBytes(StandardCharsets.UTF_8);
        int at = r.nextInt(bytes.length + 1);
        byte b = r.nextInt(4) == 0 ? (byte) r.nextInt(256) : pool[r.nextInt(pool.length)];
        return switch (r.nextInt(3)) {
            case 0 -> {
                byte[] out = new byte[bytes.length + 1];
                System.arraycopy(bytes, 0, out, 0, at);
                out[at] = b;
                System.arraycopy(bytes, at, out, at + 1, bytes.length - at);
                yield out;
            }
            case 1 -> {
                if (at == bytes.length) yield bytes.clone();
                byte[] out = new byte[bytes.length - 1];
                System.arraycopy(bytes, 0, out, 0, at);
                System.arraycopy(bytes, at + 1, out, at, bytes.length - at - 1);
                yield out;
            }
            default -> {
                byte[] out = bytes.clone();
                if (at < out.length) out[at] = b;
                yield out;
            }
        };
    }
}

package ai.basalt.generate.constrain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.basalt.format.gguf.TokenType;
import ai.basalt.generate.sampling.SamplerChain;
import ai.basalt.generate.sampling.Samplers;
import ai.basalt.model.LanguageModel;
import ai.basalt.model.Models;
import ai.basalt.tokenizer.Tokenizer;
import ai.basalt.tokenizer.Tokenizers;
import ai.basalt.tokenizer.Vocabulary;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The token-level constraint over basalt-mini's byte-level BPE vocabulary and a small SentencePiece one. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GrammarConstraintTest {
    private static final String SCHEMA = """
            {"type":"object","properties":{"name":{"type":"string","maxLength":12},"tags":{"type":"array",
             "items":{"enum":["x","yz"]},"maxItems":3},"age":{"type":"integer"},"ok":{"type":"boolean"}},
             "required":["name","age"]}""";
    private LanguageModel model;
    private Tokenizer tokenizer;
    private TokenVocabulary vocabulary;

    @BeforeAll
    void load() {
        Path file = Path.of("..", "models", "basalt-mini", "basalt-mini.gguf");
        assertThat(file).as("the built-in model in the source tree").isRegularFile();
        model = Models.load(file);
        tokenizer = model.tokenizer();
        vocabulary = TokenVocabulary.of(tokenizer);
    }

    @AfterAll
    void close() {
        if (model != null) model.close();
    }

    /** At every step of a tokenized document, the mask allows exactly the tokens whose bytes keep the text live. */
    @Test
    void theMaskAgreesWithTheAutomatonTokenByToken() {
        JsonGrammar grammar = JsonGrammar.fromSchema(SCHEMA);
        String document = "{\"name\": \"Añn 😀\", \"tags\": [\"x\", \"yz\"], \"age\": -31, \"ok\": true}";
        int[] tokens = tokenizer.encode(document);
        GrammarConstraint constraint = new GrammarConstraint(grammar, vocabulary);
        Automaton oracle = new Automaton(grammar.grammar());
        Automaton.State at = oracle.start();
        int eos = tokenizer.vocabulary().eos();
        for (int step = 0; step <= tokens.length; step++) {
            float[] logits = new float[vocabulary.size()];
            constraint.mask(logits);
            for (int t = 0; t < logits.length; t++) {
                boolean expected = t == eos ? at.complete : live(oracle, at, vocabulary.bytes(t));
                assertThat(logits[t] != Float.NEGATIVE_INFINITY).as("step %d token %d %s", step, t, tokenizer.vocabulary().token(t))
                        .isEqualTo(expected);
                assertThat(constraint.allows(t)).isEqualTo(expected);
            }
            if (step == tokens.length) break;
            constraint.accept(tokens[step]);
            for (byte b : vocabulary.bytes(tokens[step])) at = oracle.step(at, b & 0xFF);
        }
        assertThat(constraint.complete()).isTrue();
        constraint.accept(eos);
        assertThat(constraint.ended()).isTrue();
        assertThat(constraint.allows(eos)).isFalse();
    }

    private static boolean live(Automaton a, Automaton.State s, byte[] bytes) {
        if (bytes == null) return false;
        for (byte b : bytes) s = a.step(s, b & 0xFF);
        return s != a.dead;
    }

    @Test
    void endOfSequenceOnlyWhenCompleteAndThenOnlyIt() {
        GrammarConstraint c = new GrammarConstraint(JsonGrammar.anyObject(), vocabulary);
        int eos = tokenizer.vocabulary().eos();
        assertThat(c.allows(eos)).isFalse();
        for (int t : tokenizer.encode("{\"a\": [1, 2]")) c.accept(t);
        assertThat(c.allows(eos)).isFalse();
        c.accept(tokenizer.encode("}")[0]);
        assertThat(c.complete()).isTrue();
        float[] logits = new float[vocabulary.size()];
        c.mask(logits);
        for (int t = 0; t < logits.length; t++) {
            assertThat(logits[t]).as("token %d", t).isEqualTo(t == eos ? 0f : Float.NEGATIVE_INFINITY);
        }
        assertThatThrownBy(() -> c.accept(tokenizer.encode(" ")[0])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot continue the document");
    }

    @Test
    void aCharacterSplitAcrossTokensMustBeFinished() {
        GrammarConstraint c = new GrammarConstraint(JsonGrammar.anyObject(), vocabulary);
        for (int t : tokenizer.encode("{\"a\": \"")) c.accept(t);
        int lead = tokenWithBytes(new byte[] {(byte) 0xE2});
        assertThat(c.allows(lead)).as("the first byte of a three-byte character, inside a string").isTrue();
        c.accept(lead);
        float[] logits = new float[vocabulary.size()];
        c.mask(logits);
        int allowed = 0;
        for (int t = 0; t < logits.length; t++) {
            if (logits[t] == Float.NEGATIVE_INFINITY) continue;
            allowed++;
            assertThat(vocabulary.bytes(t)[0] & 0xC0).as("token %d continues the character", t).isEqualTo(0x80);
        }
        assertThat(allowed).isPositive();
        GrammarConstraint outside = new GrammarConstraint(JsonGrammar.anyObject(), vocabulary);
        for (int t : tokenizer.encode("{\"a\": ")) outside.accept(t);
        assertThat(outside.allows(lead)).as("outside a string").isFalse();
    }

    private int tokenWithBytes(byte[] bytes) {
        for (int t = 0; t < vocabulary.size(); t++) if (Arrays.equals(vocabulary.bytes(t), bytes)) return t;
        throw new AssertionError("no token of bytes " + Arrays.toString(bytes));
    }

    @Test
    void controlTokensAreNeverGenerated() {
        Vocabulary v = tokenizer.vocabulary();
        for (int t = 0; t < v.size(); t++) {
            if (v.types()[t] == TokenType.CONTROL) assertThat(vocabulary.bytes(t)).as("token %d", t).isNull();
        }
    }

    /** SentencePiece: ▁ is a space, <0xHH> a byte, so "é" may come as two byte tokens and "▁{" opens a document. */
    @Test
    void sentencePieceTokensWriteTheirBytes() {
        List<String> pieces = new ArrayList<>(List.of("<unk>", "<s>", "</s>"));
        List<TokenType> types = new ArrayList<>(List.of(TokenType.UNKNOWN, TokenType.CONTROL, TokenType.CONTROL));
        for (int b = 0; b < 256; b++) {
            pieces.add(String.format("<0x%02X>", b));
            types.add(TokenType.BYTE);
        }
        for (String p : List.of("▁{", "{", "}", "\"", "▁\"", ":", "a", "é", "▁", "\"a\":")) {
            pieces.add(p);
            types.add(TokenType.NORMAL);
        }
        Vocabulary v = new Vocabulary(pieces.toArray(String[]::new), new float[pieces.size()], types.toArray(TokenType[]::new),
                1, 2, 0, -1, true, false, true);
        TokenVocabulary tv = TokenVocabulary.of(Tokenizers.sentencePiece(v));
        assertThat(new String(tv.bytes(v.id("▁{")), StandardCharsets.UTF_8)).isEqualTo(" {");
        assertThat(tv.bytes(v.id("<0xC3>"))).containsExactly(0xC3);
        assertThat(tv.bytes(0)).isNull();
        GrammarConstraint c = new GrammarConstraint(JsonGrammar.anyObject(), tv);
        assertThat(c.allows(v.id("▁{"))).isTrue();
        assertThat(c.allows(v.id("}"))).isFalse();
        for (String p : List.of("▁{", "\"a\":", "▁\"", "<0xC3>", "<0xA9>", "é", "\"", "}")) c.accept(v.id(p));
        assertThat(c.complete()).isTrue();
        assertThat(c.allows(2)).isTrue();
        assertThat(c.allows(1)).isFalse();
    }

    @Test
    void theChainDrawsOnlyAllowedTokensAndLeavesTheLogitsAlone() {
        GrammarConstraint c = new GrammarConstraint(JsonGrammar.fromSchema("{\"enum\":[\"yes\",\"no\"]}"), vocabulary);
        ConstrainedChain chain = new ConstrainedChain(new SamplerChain(List.of(Samplers.greedy())), c);
        float[] logits = new float[vocabulary.size()];
        int favourite = tokenizer.encode("{")[0];
        logits[favourite] = 100f;
        float[] before = logits.clone();
        StringBuilder text = new StringBuilder();
        int eos = tokenizer.vocabulary().eos();
        for (int step = 0; step < 10; step++) {
            int t = chain.sample(logits);
            assertThat(t).isNotEqualTo(favourite);
            chain.accept(t);
            if (t == eos) break;
            text.append(new String(vocabulary.bytes(t), StandardCharsets.UTF_8));
        }
        assertThat(logits).containsExactly(before);
        assertThat(text.toString()).isIn("\"yes\"", "\"no\"");
        assertThat(c.ended()).isTrue();
    }

    @Test
    void endTokensMustBelongToTheVocabulary() {
        assertThatThrownBy(() -> new GrammarConstraint(JsonGrammar.anyObject(), vocabulary, vocabulary.size()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("out of range");
    }
}

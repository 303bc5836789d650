package ai.basalt.model.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.basalt.model.gpt2.Gpt2Trainable;
import ai.basalt.model.llama.LlamaTrainable;
import ai.basalt.nn.Rng;
import ai.basalt.nn.TorchGenerator;
import ai.basalt.nn.Var;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link Gpt2Trainable#initializeAsPyTorch} against PyTorch: {@code tools/pytorch/make_rng_fixture.py} builds
 * {@code models.py}'s GPT (nanoGPT's) right after {@code torch.manual_seed}, with and without biases, and records each
 * parameter's first and last 32 values, its sum and sum of squares, and the next eight {@code torch.randint} draws.
 */
class NanoGptInitTest {

    @Test
    void drawsTheWeightsPyTorchDrawsAndLeavesItsGeneratorWhereTorchsIs() throws IOException {
        JsonNode models;
        try (InputStream in = NanoGptInitTest.class.getResourceAsStream("/fixtures/nanogpt-init.json")) {
            assertThat(in).as("fixtures/nanogpt-init.json").isNotNull();
            models = new ObjectMapper().readTree(in).get("models");
        }
        assertThat(models.size()).isEqualTo(2);
        for (JsonNode m : models) {
            JsonNode c = m.get("config");
            int dim = c.get("dim").asInt();
            ModelSpec spec = new ModelSpec("gpt2", c.get("layers").asInt(), c.get("heads").asInt(), c.get("heads").asInt(),
                    dim, 4 * dim, c.get("context").asInt(), c.get("vocab").asInt(), 1e-5f, 10000f, true, 0f,
                    c.get("bias").asBoolean());
            Gpt2Trainable model = new Gpt2Trainable(spec, new Rng(99));
            TorchGenerator g = new TorchGenerator(m.get("seed").asLong());
            model.initializeAsPyTorch(g);
            Set<String> seen = new HashSet<>();
            for (JsonNode p : m.get("parameters")) {
                String name = ReferenceNames.gguf("gpt2", p.get("name").asText());
                Var v = model.parameter(name);
                seen.add(name);
                assertThat(v.size()).as(name).isEqualTo(product(p.get("shape")));
                float[] data = v.data();
                JsonNode head = p.get("head");
                JsonNode tail = p.get("tail");
                for (int i = 0; i < head.size(); i++) {
                    assertThat(data[i]).as(name + "[" + i + "]").isCloseTo((float) head.get(i).asDouble(), within(2e-7f));
                }
                for (int i = 0; i < tail.size(); i++) {
                    int at = v.size() - tail.size() + i;
                    assertThat(data[at]).as(name + "[" + at + "]").isCloseTo((float) tail.get(i).asDouble(), within(2e-7f));
                }
                double sum = 0, squares = 0;
                for (int i = 0; i < v.size(); i++) {
                    sum += data[i];
                    squares += (double) data[i] * data[i];
                }
                assertThat(sum).as(name + " sum").isCloseTo(p.get("sum").asDouble(), within(1e-5 * Math.sqrt(v.size())));
                assertThat(squares).as(name + " sum of squares")
                        .isCloseTo(p.get("sum_squares").asDouble(), within(1e-6 * p.get("sum_squares").asDouble() + 1e-9));
            }
            assertThat(seen).as("every parameter checked").hasSize(model.parameters().size());
            JsonNode after = m.get("randint_after");
            for (int i = 0; i < after.size(); i++) {
                assertThat(g.randint(1000)).as("draw %d after the initialisation", i).isEqualTo(after.get(i).asLong());
            }
        }
    }

    @Test
    void llamaHasNoPyTorchInitialisationToFollow() {
        ModelSpec spec = new ModelSpec("llama", 1, 2, 2, 16, 32, 8, 20, 1e-5f, 10000f, true, 0f);
        LlamaTrainable model = new LlamaTrainable(spec, new Rng(1));
        assertThatThrownBy(() -> model.initializeAsPyTorch(new TorchGenerator(1)))
                .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("llama");
    }

    private static int product(JsonNode shape) {
        int n = 1;
        for (JsonNode d : shape) n *= d.asInt();
        return n;
    }
}

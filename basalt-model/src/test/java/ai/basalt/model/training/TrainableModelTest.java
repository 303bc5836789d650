package ai.basalt.model.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import ai.basalt.format.gguf.GgufMetadata;
import ai.basalt.format.gguf.GgufWriter;
import ai.basalt.model.ModelLoadException;
import ai.basalt.model.gpt2.Gpt2Trainable;
import ai.basalt.model.llama.LlamaTrainable;
import ai.basalt.nn.Graph;
import ai.basalt.nn.ParamKind;
import ai.basalt.nn.Rng;
import ai.basalt.nn.Var;
import ai.basalt.tensor.DType;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What every trainable model promises: names, kinds, initialisation, seeding, dropout, input checks. */
class TrainableModelTest {
    private static final ModelSpec GPT2 = new ModelSpec("gpt2", 4, 4, 4, 64, 256, 32, 50, 1e-5f, 1e4f, true, 0.2f);
    private static final ModelSpec LLAMA = new ModelSpec("llama", 4, 4, 2, 64, 160, 32, 50, 1e-5f, 1e4f, false, 0.2f);

    @TempDir
    Path dir;

    private static ModelSpec spec(String arch) {
        return arch.equals("gpt2") ? GPT2 : LLAMA;
    }

    @Test
    void parametersHaveGgufNamesAndKinds() {
        Map<String, ParamKind> gpt2 = kinds(TrainableModels.create(GPT2, new Rng(1)));
        assertThat(gpt2).hasSize(2 + 4 * 12 + 2)
                .containsEntry("token_embd.weight", ParamKind.EMBEDDING)
                .containsEntry("position_embd.weight", ParamKind.EMBEDDING)
                .containsEntry("blk.3.attn_norm.weight", ParamKind.NORM)
                .containsEntry("blk.3.attn_norm.bias", ParamKind.NORM)
                .containsEntry("blk.3.attn_qkv.weight", ParamKind.WEIGHT)
                .containsEntry("blk.3.attn_qkv.bias", ParamKind.BIAS)
                .containsEntry("blk.3.ffn_down.bias", ParamKind.BIAS)
                .containsEntry("output_norm.bias", ParamKind.NORM)
                .doesNotContainKey("output.weight");
        Map<String, ParamKind> llama = kinds(TrainableModels.create(LLAMA, new Rng(1)));
        assertThat(llama).hasSize(1 + 4 * 9 + 2)
                .containsEntry("token_embd.weight", ParamKind.EMBEDDING)
                .containsEntry("blk.0.attn_q.weight", ParamKind.WEIGHT)
                .containsEntry("blk.0.ffn_gate.weight", ParamKind.WEIGHT)
                .containsEntry("blk.0.ffn_norm.weight", ParamKind.NORM)
                .containsEntry("output.weight", ParamKind.WEIGHT);
        assertThat(TrainableModels.create(LLAMA, new Rng(1)).parameter("blk.0.attn_k.weight").shape()).containsExactly(32, 64);
        assertThatThrownBy(() -> TrainableModels.create(LLAMA, new Rng(1)).parameter("blk.0.attn_qkv.weight"))
                .hasMessage("llama model has no parameter 'blk.0.attn_qkv.weight'");
    }

    private static Map<String, ParamKind> kinds(TrainableModel model) {
        return model.parameters().stream().collect(Collectors.toMap(Var::name, Var::kind));
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama"})
    void initialisationIsGpt2sAndTheSeedFixesIt(String arch) {
        TrainableModel a = TrainableModels.create(spec(arch), new Rng(3));
        TrainableModel b = TrainableModels.create(spec(arch), new Rng(3));
        for (int i = 0; i < a.parameters().size(); i++) {
            assertThat(a.parameters().get(i).data()).containsExactly(b.parameters().get(i).data());
        }
        assertThat(std(a.parameter("token_embd.weight"))).isCloseTo(0.02, offset(0.002));
        assertThat(std(a.parameter("blk.1.ffn_up.weight"))).isCloseTo(0.02, offset(0.002));
        // residual projections: 0.02 / sqrt(2 · 4 layers)
        assertThat(std(a.parameter("blk.1.ffn_down.weight"))).isCloseTo(0.02 / Math.sqrt(8), offset(0.001));
        assertThat(std(a.parameter("blk.1.attn_output.weight"))).isCloseTo(0.02 / Math.sqrt(8), offset(0.001));
        assertThat(a.parameter("output_norm.weight").data()).containsOnly(1f);
        if (arch.equals("gpt2")) {
            assertThat(a.parameter("blk.0.attn_qkv.bias").data()).containsOnly(0f);
            assertThat(a.parameter("blk.0.attn_norm.bias").data()).containsOnly(0f);
        }
    }

    private static double std(Var v) {
        double sum = 0, sq = 0;
        for (int i = 0; i < v.size(); i++) {
            sum += v.data()[i];
            sq += (double) v.data()[i] * v.data()[i];
        }
        double mean = sum / v.size();
        return Math.sqrt(sq / v.size() - mean * mean);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama"})
    void dropoutAppliesOnlyWhileTraining(String arch) {
        TrainableModel model = TrainableModels.create(spec(arch), new Rng(4));
        int[] tokens = new int[2 * 8];
        for (int i = 0; i < tokens.length; i++) tokens[i] = (i * 7) % 50;
        Graph g = new Graph();
        g.setTraining(false);
        float[] eval = model.logits(g, tokens, 2, 8).data().clone();
        float[] evalAgain = model.logits(g, tokens, 2, 8).data().clone();
        g.setTraining(true);
        long before = model.dropoutRng().state();
        float[] train = model.logits(g, tokens, 2, 8).data().clone();
        assertThat(evalAgain).containsExactly(eval);
        assertThat(model.dropoutRng().state()).as("dropout drew masks").isNotEqualTo(before);
        assertThat(Arrays.equals(train, eval)).as("training logits differ from eval logits").isFalse();
    }

    @Test
    void batchesAreChecked() {
        TrainableModel model = TrainableModels.create(GPT2, new Rng(1));
        Graph g = new Graph();
        assertThatThrownBy(() -> model.logits(g, new int[33], 1, 33))
                .hasMessage("sequence of 33 tokens exceeds the context of 32");
        assertThatThrownBy(() -> model.logits(g, new int[10], 2, 4)).hasMessage("10 token ids for batch 2 x time 4");
        assertThatThrownBy(() -> model.logits(g, new int[] {50}, 1, 1)).hasMessageContaining("id 50");
        assertThatThrownBy(() -> TrainableModels.create(GPT2, new Rng(1)).spec().toLlamaConfig())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aGgufOfAnotherArchitectureCannotBeTrained() {
        Path file = dir.resolve("bert.gguf");
        new GgufWriter(GgufMetadata.builder().putString("general.architecture", "bert").build())
                .addTensor("token_embd.weight", DType.F32, new long[] {2, 2}, new byte[16]).write(file);
        assertThatThrownBy(() -> TrainableModels.fromGguf(file, 0f)).isInstanceOf(ModelLoadException.class)
                .hasMessage("bert.gguf: architecture 'bert' cannot be trained (trainable: gpt2, llama)");
    }

    @Test
    void theFactoryBuildsTheSpecsArchitecture() {
        assertThat(TrainableModels.create(GPT2, new Rng(1))).isInstanceOf(Gpt2Trainable.class);
        assertThat(TrainableModels.create(LLAMA, new Rng(1))).isInstanceOf(LlamaTrainable.class);
        assertThat(List.of(GPT2, LLAMA)).allSatisfy(s -> assertThat(TrainableModels.create(s, new Rng(1)).spec()).isEqualTo(s));
    }
}

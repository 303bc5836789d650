package ai.basalt.model.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.basalt.format.gguf.GgufFile;
import ai.basalt.format.gguf.GgufMetadata;
import ai.basalt.format.gguf.GgufTensorInfo;
import ai.basalt.model.InferenceState;
import ai.basalt.model.KvType;
import ai.basalt.model.LanguageModel;
import ai.basalt.model.Models;
import ai.basalt.model.gpt2.Gpt2Model;
import ai.basalt.model.llama.LlamaModel;
import ai.basalt.nn.Graph;
import ai.basalt.nn.ParamKind;
import ai.basalt.nn.Rng;
import ai.basalt.nn.Var;
import ai.basalt.tensor.DType;
import ai.basalt.tokenizer.CharTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a trainable model writes as GGUF: llama.cpp's metadata keys and tensor names, and a file Basalt's engine
 * loads and runs with the same logits as the training graph (teacher-forced at every position, within 1e-4; with
 * every parameter randomized, norms and biases included, so logits reach 2.5 to 3.7; measured 3.1e-6 at most, Llama, and 1.8e-6, GPT-2).
 */
class GgufExportTest {
    private static final double ENGINE_TOLERANCE = 1e-4;
    /** 41 characters: the tokenizer's vocabulary is the model's. */
    static final CharTokenizer TOKENIZER = CharTokenizer.fromCorpus("abcdefghijklmnopqrstuvwxyz .,;:!?'\n-ABCDE");

    @TempDir
    Path dir;

    static Stream<ModelSpec> specs() {
        int v = TOKENIZER.vocabulary().size();
        return Stream.of(
                new ModelSpec("gpt2", 2, 4, 4, 32, 128, 24, v, 1e-5f, 10000f, true, 0f),
                new ModelSpec("gpt2", 1, 2, 2, 16, 40, 20, v, 1e-5f, 10000f, false, 0.1f),
                new ModelSpec("llama", 2, 4, 2, 32, 80, 24, v, 1e-5f, 10000f, false, 0f),
                new ModelSpec("llama", 1, 4, 1, 32, 48, 20, v, 1e-6f, 500000f, true, 0.1f));
    }

    /** {@link #specs()} and nanoGPT's bias-free GPT-2, whose file carries zero biases. */
    static Stream<ModelSpec> engineSpecs() {
        int v = TOKENIZER.vocabulary().size();
        return Stream.concat(specs(), Stream.of(new ModelSpec("gpt2", 2, 4, 4, 32, 128, 24, v, 1e-5f, 10000f, true, 0f, false)));
    }

    /** A model of {@code spec} with every parameter drawn away from its initial value, so each one shows in the logits. */
    static TrainableModel randomized(ModelSpec spec, long seed) {
        TrainableModel model = TrainableModels.create(spec, new Rng(seed));
        Rng rng = new Rng(seed + 1);
        for (Var p : model.parameters()) {
            boolean gain = p.kind() == ParamKind.NORM && p.name().endsWith(".weight");
            float[] d = p.data();
            for (int i = 0; i < p.size(); i++) d[i] = (float) ((gain ? 1 : 0) + 0.2 * rng.nextGaussian());
        }
        return model;
    }

    @ParameterizedTest
    @MethodSource("engineSpecs")
    void engineLoadsTheFileAndComputesTheTrainingLogits(ModelSpec spec) {
        TrainableModel model = randomized(spec, 11);
        Path file = dir.resolve(spec.architecture() + ".gguf");
        model.writeGguf(file, TOKENIZER, "tiny-" + spec.architecture());

        int t = spec.context();
        Rng rng = new Rng(5);
        int[] tokens = new int[t];
        for (int i = 0; i < t; i++) tokens[i] = rng.nextInt(spec.vocabularySize());
        Graph g = new Graph();
        g.setTraining(false);
        g.setGradEnabled(false);
        float[] expected = model.logits(g, tokens, 1, t).data(); // (1, T, V)

        try (LanguageModel engine = Models.load(file)) {
            assertThat(engine).isInstanceOf(spec.architecture().equals("llama") ? LlamaModel.class : Gpt2Model.class);
            assertThat(engine.name()).isEqualTo("tiny-" + spec.architecture());
            assertThat(engine.vocabularySize()).isEqualTo(spec.vocabularySize());
            assertThat(engine.contextLength()).isEqualTo(t);
            assertThat(engine.tokenizer().encode("hello, world")).containsExactly(TOKENIZER.encode("hello, world"));
            InferenceState state = engine.newState(t, KvType.F32);
            double maxDiff = 0, scale = 0;
            for (int pos = 0; pos < t; pos++) {
                float[] logits = engine.forward(state, tokens[pos], pos, true);
                for (int j = 0; j < spec.vocabularySize(); j++) {
                    float want = expected[pos * spec.vocabularySize() + j];
                    maxDiff = Math.max(maxDiff, Math.abs(logits[j] - want));
                    scale = Math.max(scale, Math.abs(want));
                }
            }
            assertThat(scale).as("largest logit").isGreaterThan(0.5);
            assertThat(maxDiff).as("engine vs training logits").isLessThan(ENGINE_TOLERANCE);
        }
    }

    @ParameterizedTest
    @MethodSource("specs")
    void theFileHoldsLlamaCppsKeysAndTensorsAndReadsBackAsTheSameModel(ModelSpec spec) {
        TrainableModel model = randomized(spec, 12);
        Path file = dir.resolve("model.gguf");
        model.writeGguf(file, TOKENIZER, "tiny");
        String a = spec.architecture();
        try (GgufFile gguf = GgufFile.open(file)) {
            GgufMetadata m = gguf.metadata();
            assertThat(m.getString("general.architecture")).isEqualTo(a);
            assertThat(m.getString("general.name")).isEqualTo("tiny");
            assertThat(m.getInt("general.file_type")).isZero();
            Map<String, Integer> ints = Map.of(a + ".context_length", spec.context(), a + ".embedding_length", spec.dim(),
                    a + ".block_count", spec.layers(), a + ".feed_forward_length", spec.ffn(),
                    a + ".attention.head_count", spec.heads(), a + ".vocab_size", spec.vocabularySize());
            ints.forEach((key, value) -> assertThat(m.getInt(key)).as(key).isEqualTo(value));
            if (a.equals("llama")) {
                assertThat(m.getInt("llama.attention.head_count_kv")).isEqualTo(spec.kvHeads());
                assertThat(m.getFloat("llama.attention.layer_norm_rms_epsilon")).isEqualTo(spec.normEpsilon());
                assertThat(m.getInt("llama.rope.dimension_count")).isEqualTo(spec.headDim());
                assertThat(m.getFloat("llama.rope.freq_base")).isEqualTo(spec.ropeTheta());
            } else {
                assertThat(m.getFloat("gpt2.attention.layer_norm_epsilon")).isEqualTo(spec.normEpsilon());
            }
            assertThat(m.getString("tokenizer.ggml.model")).isEqualTo("llama");
            assertThat(m.getStringArray("tokenizer.ggml.tokens")).hasSize(spec.vocabularySize());

            // llama.cpp's gpt2 loader requires output.weight: a tied GPT-2 repeats the token embedding there
            boolean repeatsEmbedding = a.equals("gpt2") && spec.tiedOutput();
            List<String> expected = new ArrayList<>(model.parameters().stream().map(Var::name).toList());
            if (repeatsEmbedding) expected.add("output.weight");
            List<String> names = gguf.tensors().stream().map(GgufTensorInfo::name).toList();
            assertThat(names).containsExactlyElementsOf(expected);
            assertThat(names).contains("token_embd.weight", "blk.0.attn_norm.weight", "blk.0.ffn_down.weight",
                    "output_norm.weight");
            assertThat(names.contains("output.weight")).isEqualTo(!spec.tiedOutput() || repeatsEmbedding);
            if (repeatsEmbedding) {
                assertThat(gguf.tensor("output.weight").toFloatArray())
                        .containsExactly(gguf.tensor("token_embd.weight").toFloatArray());
            }
            if (a.equals("gpt2")) {
                assertThat(names).contains("position_embd.weight", "blk.0.attn_qkv.weight", "blk.0.attn_qkv.bias",
                        "blk.0.attn_norm.bias", "blk.0.ffn_up.bias", "output_norm.bias");
                assertThat(gguf.findTensor("blk.0.attn_qkv.weight").orElseThrow().dims())
                        .containsExactly(spec.dim(), 3L * spec.dim());
            } else {
                assertThat(names).contains("blk.0.attn_q.weight", "blk.0.attn_k.weight", "blk.0.ffn_gate.weight");
                assertThat(gguf.findTensor("blk.0.attn_k.weight").orElseThrow().dims())
                        .containsExactly(spec.dim(), (long) spec.kvHeads() * spec.headDim());
            }
            assertThat(gguf.tensors()).allSatisfy(info -> assertThat(info.type()).isEqualTo(DType.F32));
        }

        TrainableModel back = TrainableModels.fromGguf(file, spec.dropout());
        assertThat(back.spec()).isEqualTo(spec);
        for (Var p : model.parameters()) {
            assertThat(Arrays.copyOf(back.parameter(p.name()).data(), p.size())).as(p.name())
                    .containsExactly(Arrays.copyOf(p.data(), p.size()));
        }
    }

    @Test
    void aBiasFreeGpt2IsWrittenWithZeroBiasesAndReadsBackWithTheSameLogits() {
        ModelSpec spec = engineSpecs().reduce((a, b) -> b).orElseThrow();
        assertThat(spec.bias()).isFalse();
        TrainableModel model = randomized(spec, 13);
        assertThat(model.parameters()).extracting(Var::name).noneMatch(n -> n.endsWith(".bias"));
        assertThat(model.parameters()).hasSize(2 + spec.layers() * 6 + 1);
        Path file = dir.resolve("nobias.gguf");
        model.writeGguf(file, TOKENIZER, "nobias");
        try (GgufFile gguf = GgufFile.open(file)) {
            for (String name : List.of("blk.1.attn_norm.bias", "blk.1.attn_qkv.bias", "blk.1.attn_output.bias",
                    "blk.1.ffn_norm.bias", "blk.1.ffn_up.bias", "blk.1.ffn_down.bias", "output_norm.bias")) {
                float[] values = gguf.tensor(name).toFloatArray();
                assertThat(values).as(name).isNotEmpty().containsOnly(0f);
            }
        }
        TrainableModel back = TrainableModels.fromGguf(file, 0f);
        assertThat(back.spec().bias()).as("a GGUF GPT-2 always has biases").isTrue();
        int[] tokens = {1, 5, 9, 2, 7, 3};
        Graph g = new Graph();
        g.setGradEnabled(false);
        assertThat(back.logits(g, tokens, 1, tokens.length).data())
                .containsExactly(model.logits(g, tokens, 1, tokens.length).data());
    }

    @Test
    void llamaSpecsRefuseBiases() {
        assertThatThrownBy(() -> new ModelSpec("llama", 1, 2, 2, 8, 16, 8, 10, 1e-5f, 1e4f, true, 0f, true))
                .hasMessage("llama has no biases: bias must be false");
    }

    @Test
    void specsMapToTheEngineConfigsAndBack() {
        specs().forEach(spec -> {
            ModelSpec back = spec.architecture().equals("llama")
                    ? ModelSpec.fromConfig(spec.toLlamaConfig(), spec.tiedOutput(), spec.dropout())
                    : ModelSpec.fromConfig(spec.toGpt2Config(), spec.tiedOutput(), spec.dropout());
            assertThat(back).isEqualTo(spec);
        });
        ModelSpec gpt2 = specs().findFirst().orElseThrow();
        assertThatThrownBy(gpt2::toLlamaConfig).hasMessageContaining("gpt2 spec has no llama config");
    }

    @Test
    void aTokenizerOfAnotherSizeIsRejected() {
        ModelSpec spec = new ModelSpec("llama", 1, 2, 2, 8, 16, 8, TOKENIZER.vocabulary().size() + 1, 1e-5f, 1e4f,
                true, 0f);
        TrainableModel model = TrainableModels.create(spec, new Rng(1));
        assertThatThrownBy(() -> model.writeGguf(dir.resolve("x.gguf"), TOKENIZER, "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tokenizer of 41 tokens for a model of vocabulary size 42: they must be equal to export");
        assertThatThrownBy(() -> model.writeHuggingFace(dir.resolve("hf"), TOKENIZER))
                .hasMessageContaining("tokenizer of 41 tokens");
    }
}

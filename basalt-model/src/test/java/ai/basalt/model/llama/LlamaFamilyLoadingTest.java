package ai.basalt.model.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.basalt.format.gguf.GgufFile;
import ai.basalt.format.gguf.GgufMetadata;
import ai.basalt.format.gguf.GgufWriter;
import ai.basalt.format.gguf.MetadataKey;
import ai.basalt.format.gguf.TensorKey;
import ai.basalt.model.LanguageModel;
import ai.basalt.model.ModelLoadException;
import ai.basalt.model.Models;
import ai.basalt.tensor.RopeMode;
import ai.basalt.tensor.Tensor;
import ai.basalt.tokenizer.training.BpeTrainer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Llama-family names load through {@link Models} into the one decoder, with the flags each name implies, and
 * files that break a family's conventions fail with a one-line {@link ModelLoadException} naming the file and the
 * tensor or key. (Numerical parity with llama.cpp: basalt-generate's {@code ArchitectureConformanceTest}.)
 */
class LlamaFamilyLoadingTest {
    private static final int DIM = 32, FFN = 48, HEADS = 4, KV_HEADS = 2, HEAD_DIM = 8, VOCAB_TRAINED = 280;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"llama", "mistral", "qwen2", "qwen3", "phi3"})
    void everyFamilyNameLoadsWithItsFlags(String arch) {
        Path file = write(arch, m -> {}, t -> {}, true);
        try (LanguageModel model = Models.load(file)) {
            assertThat(model.architecture()).isEqualTo(arch);
            LlamaConfig c = ((LlamaModel) model).config();
            assertThat(c.ropeMode()).isEqualTo(arch.startsWith("qwen") || arch.equals("phi3") ? RopeMode.NEOX : RopeMode.NORMAL);
            assertThat(c.attentionBias()).isEqualTo(arch.equals("qwen2"));
            assertThat(c.qkNorm()).isEqualTo(arch.equals("qwen3"));
            assertThat(c.fusedQkv()).isEqualTo(arch.equals("phi3"));
            assertThat(c.fusedGateUp()).isEqualTo(arch.equals("phi3"));
            assertThat(c.isPlainLlama()).isEqualTo(arch.equals("llama") || arch.equals("mistral"));
            float[] logits = model.forward(model.newState(4), 1, 0, true);
            assertThat(logits).hasSize(model.vocabularySize());
        }
    }

    @Test
    void linearRopeScalingIsTheInverseFactorAndTypeNoneNeverScales() {
        assertThat(ropeFreqScale(m -> m.putString("llama.rope.scaling.type", "linear").putFloat("llama.rope.scaling.factor", 4f)))
                .isEqualTo(0.25f);
        assertThat(ropeFreqScale(m -> m.putFloat("llama.rope.scaling.factor", 2f))).as("linear is the default type")
                .isEqualTo(0.5f);
        assertThat(ropeFreqScale(m -> m.putFloat("llama.rope.scale_linear", 8f))).as("the older key").isEqualTo(0.125f);
        assertThat(ropeFreqScale(m -> m.putString("llama.rope.scaling.type", "none").putFloat("llama.rope.scaling.factor", 4f)))
                .as("llama.cpp: never scale if scaling type is none").isEqualTo(1f);
        assertThat(ropeFreqScale(m -> {})).isEqualTo(1f);
    }

    private float ropeFreqScale(Consumer<GgufMetadata.Builder> metadata) {
        try (GgufFile f = GgufFile.open(write("llama", metadata, t -> {}, false))) {
            return LlamaConfig.fromGguf(f, "llama").ropeFreqScale();
        }
    }

    @Test
    void unknownAndUnsupportedRopeScalingTypesAreRejected() {
        assertLoadFails(write("llama", m -> m.putString("llama.rope.scaling.type", "wobbly"), t -> {}, false),
                "llama.rope.scaling.type 'wobbly' is unknown");
        assertLoadFails(write("qwen2", m -> m.putString("qwen2.rope.scaling.type", "yarn"), t -> {}, false),
                "qwen2.rope.scaling.type 'yarn' is not supported");
        assertLoadFails(write("llama", m -> m.putFloat("llama.rope.scaling.attn_factor", 1.2f), t -> {}, false),
                "llama.rope.scaling.attn_factor 1.2 is not supported");
    }

    @Test
    void missingFamilyTensorsAreNamed() {
        assertLoadFails(write("qwen2", m -> {}, t -> t.remove(TensorKey.ATTN_V.bias(1)), false),
                "tensor blk.1.attn_v.bias is missing");
        assertLoadFails(write("qwen3", m -> {}, t -> t.remove(TensorKey.ATTN_K_NORM.weight(0)), false),
                "tensor blk.0.attn_k_norm.weight is missing");
        assertLoadFails(write("phi3", m -> {}, t -> t.remove(TensorKey.ATTN_QKV.weight(0)), false),
                "tensor blk.0.attn_qkv.weight is missing");
    }

    @Test
    void inconsistentShapesAreNamed() {
        assertLoadFails(write("phi3", m -> {}, t -> t.put(TensorKey.FFN_UP.weight(0), zeros(TensorKey.FFN_UP.weight(0), DIM, FFN)), false),
                "tensor blk.0.ffn_up.weight has shape [32, 48], expected [32, 96]");
        assertLoadFails(write("llama", m -> {}, t -> t.put(TensorKey.ROPE_FREQS.weight(), zeros(TensorKey.ROPE_FREQS.weight(), 3)), false),
                "tensor rope_freqs.weight has shape [3], expected [4]");
        assertLoadFails(write("qwen3", m -> m.putInt("qwen3.attention.key_length", 8), t -> {}, false),
                "tensor blk.0.attn_q.weight has shape [32, 64], expected [32, 32]");
    }

    private static void assertLoadFails(Path file, String message) {
        assertThatThrownBy(() -> Models.load(file).close())
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining(file.getFileName().toString())
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    /**
     * A small {@code arch} file with every tensor its family has (zeros; norms ones), metadata and tensors edited by
     * the callers; with a tokenizer where the file must load completely.
     */
    private Path write(String arch, Consumer<GgufMetadata.Builder> editMetadata, Consumer<Map<String, Tensor>> editTensors,
            boolean withTokenizer) {
        var tokenizer = withTokenizer
                ? new BpeTrainer(new BpeTrainer.Config(VOCAB_TRAINED, List.of("<|endoftext|>"))).train("the cat sat on the mat. ".repeat(30))
                : null;
        int vocab = tokenizer != null ? tokenizer.vocabulary().size() : 64;
        GgufMetadata.Builder m = GgufMetadata.builder()
                .putString(MetadataKey.GENERAL_ARCHITECTURE.key(), arch)
                .putInt(MetadataKey.CONTEXT_LENGTH.of(arch), 16)
                .putInt(MetadataKey.EMBEDDING_LENGTH.of(arch), DIM)
                .putInt(MetadataKey.BLOCK_COUNT.of(arch), 2)
                .putInt(MetadataKey.FEED_FORWARD_LENGTH.of(arch), FFN)
                .putInt(MetadataKey.ATTENTION_HEAD_COUNT.of(arch), HEADS)
                .putInt(MetadataKey.ATTENTION_HEAD_COUNT_KV.of(arch), KV_HEADS)
                .putInt(MetadataKey.VOCAB_SIZE.of(arch), vocab);
        boolean qwen3 = arch.equals("qwen3"), phi3 = arch.equals("phi3"), qwen2 = arch.equals("qwen2");
        int headDim = qwen3 ? 2 * HEAD_DIM : HEAD_DIM; // qwen3: key_length 16 with C / heads = 8
        if (qwen3) m.putInt(MetadataKey.ATTENTION_KEY_LENGTH.of(arch), headDim);
        editMetadata.accept(m);
        int qDim = HEADS * headDim, kvDim = KV_HEADS * headDim;
        Map<String, Tensor> t = new LinkedHashMap<>();
        put(t, zeros(TensorKey.TOKEN_EMBD.weight(), DIM, vocab));
        for (int l = 0; l < 2; l++) {
            put(t, ones(TensorKey.ATTN_NORM.weight(l), DIM));
            if (phi3) {
                put(t, zeros(TensorKey.ATTN_QKV.weight(l), DIM, qDim + 2 * kvDim));
            } else {
                put(t, zeros(TensorKey.ATTN_Q.weight(l), DIM, qDim));
                put(t, zeros(TensorKey.ATTN_K.weight(l), DIM, kvDim));
                put(t, zeros(TensorKey.ATTN_V.weight(l), DIM, kvDim));
            }
            if (qwen2) {
                put(t, zeros(TensorKey.ATTN_Q.bias(l), qDim));
                put(t, zeros(TensorKey.ATTN_K.bias(l), kvDim));
                put(t, zeros(TensorKey.ATTN_V.bias(l), kvDim));
            }
            if (qwen3) {
                put(t, ones(TensorKey.ATTN_Q_NORM.weight(l), headDim));
                put(t, ones(TensorKey.ATTN_K_NORM.weight(l), headDim));
            }
            put(t, zeros(TensorKey.ATTN_OUTPUT.weight(l), qDim, DIM));
            put(t, ones(TensorKey.FFN_NORM.weight(l), DIM));
            if (phi3) {
                put(t, zeros(TensorKey.FFN_UP.weight(l), DIM, 2 * FFN));
            } else {
                put(t, zeros(TensorKey.FFN_GATE.weight(l), DIM, FFN));
                put(t, zeros(TensorKey.FFN_UP.weight(l), DIM, FFN));
            }
            put(t, zeros(TensorKey.FFN_DOWN.weight(l), FFN, DIM));
        }
        put(t, ones(TensorKey.OUTPUT_NORM.weight(), DIM));
        editTensors.accept(t);
        GgufWriter writer = new GgufWriter(tokenizer != null ? tokenizer.putGgufMetadata(m).build() : m.build());
        t.values().forEach(writer::addTensor);
        Path file = dir.resolve(arch + "-" + System.nanoTime() + ".gguf");
        writer.write(file);
        return file;
    }

    private static void put(Map<String, Tensor> t, Tensor tensor) {
        t.put(tensor.name(), tensor);
    }

    private static Tensor zeros(String name, long... dims) {
        long n = 1;
        for (long d : dims) n *= d;
        return Tensor.ofFloats(name, new float[(int) n], dims);
    }

    private static Tensor ones(String name, int n) {
        float[] v = new float[n];
        Arrays.fill(v, 1f);
        return Tensor.ofFloats(name, v, n);
    }
}

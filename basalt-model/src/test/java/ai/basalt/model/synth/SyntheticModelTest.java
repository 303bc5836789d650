package ai.basalt.model.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.basalt.format.gguf.GgufFile;
import ai.basalt.format.gguf.GgufMetadata;
import ai.basalt.format.gguf.GgufTensorInfo;
import ai.basalt.format.gguf.MetadataKey;
import ai.basalt.format.gguf.TensorKey;
import ai.basalt.model.llama.LlamaConfig;
import ai.basalt.tensor.DType;
import ai.basalt.tensor.Tensor;
import ai.basalt.tensor.TensorOps;
import ai.basalt.tokenizer.GgufTokenizers;
import ai.basalt.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The full-size plans of every preset (metadata, tensor names, dims and types, without tensor data), and small
 * files written with two layers: readable back, deterministic in the seed, with the planned tensors.
 */
class SyntheticModelTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(SynthPreset.class)
    void fullPlanHasThePresetsShape(SynthPreset preset) {
        SyntheticModel plan = SyntheticModel.plan(preset, SynthType.F16);
        LlamaConfig c = preset.config();
        GgufMetadata m = plan.metadata();
        String arch = preset.architecture();
        assertThat(m.getString(MetadataKey.GENERAL_ARCHITECTURE.key())).isEqualTo(arch);
        assertThat(m.getInt(MetadataKey.BLOCK_COUNT.of(arch))).isEqualTo(c.blockCount());
        assertThat(m.getInt(MetadataKey.EMBEDDING_LENGTH.of(arch))).isEqualTo(c.embeddingLength());
        assertThat(m.getInt(MetadataKey.ATTENTION_HEAD_COUNT_KV.of(arch))).isEqualTo(c.headCountKv());
        assertThat(m.getInt(MetadataKey.GENERAL_FILE_TYPE.key())).isEqualTo(1);
        assertThat(m.getString(MetadataKey.TOKENIZER_MODEL.key())).isEqualTo("gpt2");
        Tokenizer tokenizer = GgufTokenizers.load(m, "plan");
        assertThat(tokenizer.vocabulary().size()).isEqualTo(c.vocabularySize());

        int perLayer = c.attentionBias() ? 12 : 9;
        int global = 2 + (preset.ropeScaling() != null ? 1 : 0);
        assertThat(plan.entries()).hasSize(global + perLayer * c.blockCount());
        assertThat(plan.entries()).noneMatch(e -> e.name().equals(TensorKey.OUTPUT.weight()));
        Map<String, SyntheticModel.Entry> byName = new TreeMap<>();
        for (SyntheticModel.Entry e : plan.entries()) byName.put(e.name(), e);
        int last = c.blockCount() - 1;
        assertThat(byName.get(TensorKey.TOKEN_EMBD.weight()).dims()).containsExactly(c.embeddingLength(), c.vocabularySize());
        assertThat(byName.get(TensorKey.ATTN_K.weight(last)).dims()).containsExactly(c.embeddingLength(), c.kvDim());
        assertThat(byName.get(TensorKey.ATTN_OUTPUT.weight(last)).dims()).containsExactly(c.qDim(), c.embeddingLength());
        assertThat(byName.get(TensorKey.FFN_DOWN.weight(last)).dims()).containsExactly(c.feedForwardLength(), c.embeddingLength());
        assertThat(byName.get(TensorKey.FFN_DOWN.weight(last)).type()).isEqualTo(DType.F16);
        assertThat(byName.get(TensorKey.FFN_NORM.weight(last)).type()).isEqualTo(DType.F32);
        assertThat(byName.containsKey(TensorKey.ATTN_Q.bias(0))).isEqualTo(c.attentionBias());
        assertThat(plan.entries().get(0).name()).doesNotStartWith("blk.");
    }

    @Test
    void llama321bMatchesItsPublishedShape() {
        SyntheticModel plan = SyntheticModel.plan(SynthPreset.LLAMA_3_2_1B, SynthType.Q4_0);
        long params = 0;
        for (SyntheticModel.Entry e : plan.entries()) params += e.elementCount();
        assertThat(params).isEqualTo(1_235_814_400L + 32); // the published count and the 32 rope_freqs divisors
        assertThat(plan.config().contextLength()).isEqualTo(131072);
        Map<DType, Integer> types = new TreeMap<>();
        for (SyntheticModel.Entry e : plan.entries()) types.merge(e.type(), 1, Integer::sum);
        // as llama-quantize Q4_0 of Llama 3.2 1B: 112 Q4_0 matrices, the tied embedding in Q6_K, 34 vectors in F32
        assertThat(types).containsExactlyInAnyOrderEntriesOf(Map.of(DType.Q4_0, 112, DType.Q6_K, 1, DType.F32, 34));
        float[] divisors = SynthPreset.LLAMA_3_2_1B.ropeScaling().divisors(500000f, 64);
        assertThat(divisors[0]).isEqualTo(1f);
        assertThat(divisors[31]).isEqualTo(32f);
    }

    @Test
    void q4KMediumFollowsLlamaCppsRules() {
        SyntheticModel plan = SyntheticModel.plan(SynthPreset.QWEN2_5_0_5B, SynthType.parse("q4_k"));
        Map<String, DType> types = new TreeMap<>();
        for (SyntheticModel.Entry e : plan.entries()) types.put(e.name(), e.type());
        assertThat(plan.type()).isEqualTo(SynthType.Q4_K_M);
        // rows of 896 are not a multiple of 256: Q6_K falls back to Q8_0, Q4_K to Q5_0
        assertThat(types.get(TensorKey.TOKEN_EMBD.weight())).isEqualTo(DType.Q8_0); // tied: the output's rule
        assertThat(types.get(TensorKey.ATTN_V.weight(0))).isEqualTo(DType.Q8_0); // use_more_bits: Q6_K
        assertThat(types.get(TensorKey.ATTN_Q.weight(0))).isEqualTo(DType.Q5_0);
        assertThat(types.get(TensorKey.FFN_DOWN.weight(0))).isEqualTo(DType.Q6_K); // 4864 = 19 × 256
        assertThat(types.get(TensorKey.ATTN_Q.bias(0))).isEqualTo(DType.F32);
    }

    @Test
    void smallFileReadsBackAndIsDeterministic() {
        SyntheticModel plan = SyntheticModel.plan(SynthPreset.SMOLLM_135M, SynthType.Q8_0, 2);
        Path a = dir.resolve("a.gguf");
        Path b = dir.resolve("b.gguf");
        int[] calls = {0};
        plan.write(a, 7, (e, done, total) -> calls[0]++);
        plan.write(b, 7, (e, done, total) -> {});
        assertThat(calls[0]).isEqualTo(plan.entries().size());
        assertThat(a).hasSameBinaryContentAs(b);
        try (GgufFile f = GgufFile.open(a)) {
            assertThat(f.tensors()).extracting(GgufTensorInfo::name)
                    .containsExactlyElementsOf(plan.entries().stream().map(SyntheticModel.Entry::name).toList());
            assertThat(f.metadata().getInt(MetadataKey.BLOCK_COUNT.of("llama"))).isEqualTo(2);
            Tensor q = f.tensor(TensorKey.ATTN_Q.weight(1));
            assertThat(q.type()).isEqualTo(DType.Q8_0);
            float[] row = new float[q.cols()];
            TensorOps.scalar().dequantizeRow(q, 3, row, 0);
            double sum = 0;
            for (float v : row) sum += v * v;
            assertThat(Math.sqrt(sum / row.length)).isBetween(0.018, 0.022);
            Tensor norm = f.tensor(TensorKey.ATTN_NORM.weight(1));
            TensorOps.scalar().dequantizeRow(norm, 0, row, 0);
            assertThat(row[0]).isEqualTo(1f);
        }
        Path c = dir.resolve("c.gguf");
        plan.write(c, 8, (e, done, total) -> {});
        assertThat(c.toFile().length()).isEqualTo(a.toFile().length());
        assertThatThrownBy(() -> assertThat(c).hasSameBinaryContentAs(a)).isInstanceOf(AssertionError.class);
    }

    @Test
    void unknownNamesListTheValidOnes() {
        assertThatThrownBy(() -> SynthPreset.parse("llama-9b")).hasMessageContaining("llama-3.2-1b, qwen2.5-0.5b, smollm-135m");
        assertThatThrownBy(() -> SynthType.parse("q3_k")).hasMessageContaining("F32").hasMessageContaining("Q4_K_M");
        assertThatThrownBy(() -> SyntheticModel.plan(SynthPreset.SMOLLM_135M, SynthType.F32, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

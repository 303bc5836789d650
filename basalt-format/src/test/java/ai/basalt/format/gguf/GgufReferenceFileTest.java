package ai.basalt.format.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import ai.basalt.tensor.DType;
import ai.basalt.tensor.Tensor;
import ai.basalt.testkit.ConformanceData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reference {@code stories260K.gguf} (llama2.c's stories260K converted by llama.cpp): its header values are
 * those of the llama2.c checkpoint it came from (dim 64, hidden 172, 5 layers, 8 heads, 4 kv heads, vocab 512,
 * seq_len 512).
 */
class GgufReferenceFileTest {
    static final String STORIES = "models/stories260K/stories260K.gguf";

    @TempDir
    Path dir;

    @Test
    void metadataMatchesTheLlama2cHeader() {
        try (GgufFile gguf = GgufFile.open(ConformanceData.require(STORIES))) {
            GgufMetadata m = gguf.metadata();
            assertThat(gguf.version()).isEqualTo(3);
            assertThat(gguf.architecture()).isEqualTo("llama");
            assertThat(m.getString("general.name")).isEqualTo("stories260K");
            assertThat(m.keys()).hasSize(18);
            assertThat(m.getInt("general.file_type")).isZero();
            assertThat(m.getInt(MetadataKey.EMBEDDING_LENGTH.of("llama"))).isEqualTo(64);
            assertThat(m.getInt(MetadataKey.FEED_FORWARD_LENGTH.of("llama"))).isEqualTo(172);
            assertThat(m.getInt(MetadataKey.BLOCK_COUNT.of("llama"))).isEqualTo(5);
            assertThat(m.getInt(MetadataKey.ATTENTION_HEAD_COUNT.of("llama"))).isEqualTo(8);
            assertThat(m.getInt(MetadataKey.ATTENTION_HEAD_COUNT_KV.of("llama"))).isEqualTo(4);
            assertThat(m.getInt(MetadataKey.CONTEXT_LENGTH.of("llama"))).isEqualTo(512);
            assertThat(m.getInt(MetadataKey.ROPE_DIMENSION_COUNT.of("llama"))).isEqualTo(64 / 8);
            assertThat(m.type(MetadataKey.CONTEXT_LENGTH.of("llama"))).isEqualTo(GgufValueType.UINT32);
            assertThat(m.getFloat(MetadataKey.ATTENTION_LAYER_NORM_RMS_EPSILON.of("llama"))).isEqualTo(1e-5f);
            assertThat(m.getString(MetadataKey.TOKENIZER_MODEL.key())).isEqualTo("llama");
            assertThat(m.getInt(MetadataKey.TOKENIZER_BOS_ID.key())).isEqualTo(1);
            assertThat(m.getInt(MetadataKey.TOKENIZER_EOS_ID.key())).isEqualTo(2);
            assertThat(m.getInt(MetadataKey.TOKENIZER_UNKNOWN_ID.key())).isZero();

            String[] tokens = m.getStringArray(MetadataKey.TOKENIZER_TOKENS.key());
            assertThat(tokens).hasSize(512).startsWith("<unk>", "<s>", "</s>", "<0x00>").endsWith("\u200a");
            assertThat(tokens[259]).isEqualTo("\u2581t");
            assertThat(m.getFloatArray(MetadataKey.TOKENIZER_SCORES.key())).hasSize(512).endsWith(-252f);
            assertThat(m.getArray(MetadataKey.TOKENIZER_TOKEN_TYPE.key()).elementType()).isEqualTo(GgufValueType.INT32);
            int[] types = m.getIntArray(MetadataKey.TOKENIZER_TOKEN_TYPE.key());
            assertThat(types).startsWith(TokenType.UNKNOWN.id(), TokenType.CONTROL.id(), TokenType.CONTROL.id(), TokenType.BYTE.id());
            assertThat(types[258]).isEqualTo(TokenType.BYTE.id());
            assertThat(types[259]).isEqualTo(TokenType.NORMAL.id());
        }
    }

    @Test
    void tensorsAreTheLlamaLayoutInF32() {
        try (GgufFile gguf = GgufFile.open(ConformanceData.require(STORIES))) {
            assertThat(gguf.tensors()).hasSize(2 + 5 * 9);
            assertThat(gguf.tensors()).allSatisfy(t -> assertThat(t.type()).isEqualTo(DType.F32));
            assertThat(gguf.findTensor(TensorKey.OUTPUT.weight())).as("tied classifier").isEmpty();
            assertThat(gguf.alignment()).isEqualTo(32);
            assertThat(gguf.dataOffset()).isEqualTo(14_048);
            assertThat(gguf.tensors().subList(0, 11)).extracting(GgufTensorInfo::name).containsExactly(
                    "token_embd.weight", "output_norm.weight", "blk.0.attn_norm.weight", "blk.0.attn_q.weight",
                    "blk.0.attn_k.weight", "blk.0.attn_v.weight", "blk.0.attn_output.weight", "blk.0.ffn_norm.weight",
                    "blk.0.ffn_gate.weight", "blk.0.ffn_down.weight", "blk.0.ffn_up.weight");
            assertThat(gguf.findTensor(TensorKey.TOKEN_EMBD.weight()).orElseThrow().dims()).containsExactly(64, 512);
            assertThat(gguf.findTensor(TensorKey.ATTN_Q.weight(4)).orElseThrow().dims()).containsExactly(64, 64);
            assertThat(gguf.findTensor(TensorKey.ATTN_K.weight(4)).orElseThrow().dims()).containsExactly(64, 32);
            assertThat(gguf.findTensor(TensorKey.FFN_GATE.weight(2)).orElseThrow().dims()).containsExactly(64, 172);
            assertThat(gguf.findTensor(TensorKey.FFN_DOWN.weight(2)).orElseThrow().dims()).containsExactly(172, 64);
            Tensor norm = gguf.tensor(TensorKey.OUTPUT_NORM.weight());
            float[] values = norm.toFloatArray();
            assertThat(values).hasSize(64);
            for (float v : values) assertThat(v).isFinite().isNotZero();
        }
    }

    @Test
    void rewritingTheReferenceReproducesItByteForByte() throws IOException {
        Path reference = ConformanceData.require(STORIES);
        Path copy = dir.resolve("copy.gguf");
        try (GgufFile gguf = GgufFile.open(reference)) {
            GgufWriter writer = new GgufWriter(gguf.metadata(), gguf.version());
            for (GgufTensorInfo t : gguf.tensors()) writer.addTensor(gguf.tensor(t.name()));
            writer.write(copy);
        }
        assertThat(Files.mismatch(reference, copy)).isEqualTo(-1L);
        try (GgufFile gguf = GgufFile.open(copy)) {
            assertThat(gguf.tensors()).extracting(GgufTensorInfo::name).hasSize(47);
            assertThat(List.copyOf(gguf.metadata().keys())).startsWith("general.architecture", "general.name");
        }
    }
}

package ai.basalt.format.llama2c;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.basalt.tensor.DType;
import ai.basalt.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Llama2cCheckpointTest {
    @TempDir
    Path dir;

    @Test
    void headerAndWeightsInRunCOrder() {
        try (Llama2cCheckpoint c = Llama2cCheckpoint.open(Llama2cFiles.tinyUnshared(dir.resolve("tiny.bin")))) {
            Llama2cConfig config = c.config();
            assertThat(config).isEqualTo(new Llama2cConfig(8, 12, 2, 4, 2, 10, 4, false));
            assertThat(config.headSize()).isEqualTo(2);
            assertThat(config.kvDim()).isEqualTo(4);
            assertValues(c.tokenEmbedding(), "token_embd.weight", 0, 0, 8, 10);
            assertValues(c.attentionNorm(1), "blk.1.attn_norm.weight", 1, 8, 8);
            assertValues(c.wq(1), "blk.1.attn_q.weight", 2, 64, 8, 8);
            assertValues(c.wk(1), "blk.1.attn_k.weight", 3, 32, 8, 4);
            assertValues(c.wv(0), "blk.0.attn_v.weight", 4, 0, 8, 4);
            assertValues(c.wo(1), "blk.1.attn_output.weight", 5, 64, 8, 8);
            assertValues(c.ffnNorm(0), "blk.0.ffn_norm.weight", 6, 0, 8);
            assertValues(c.w1(1), "blk.1.ffn_gate.weight", 7, 96, 8, 12);
            assertValues(c.w2(1), "blk.1.ffn_down.weight", 8, 96, 12, 8);
            assertValues(c.w3(0), "blk.0.ffn_up.weight", 9, 0, 8, 12);
            assertValues(c.finalNorm(), "output_norm.weight", 10, 0, 8);
            // group 11 is freq_cis, skipped
            assertValues(c.classifier().orElseThrow(), "output.weight", 12, 0, 8, 10);
            assertThatThrownBy(() -> c.wq(2)).isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    @Test
    void positiveVocabSizeSharesTheEmbeddingTable() {
        try (Llama2cCheckpoint c = Llama2cCheckpoint.open(Llama2cFiles.tinyShared(dir.resolve("tiny.bin")))) {
            assertThat(c.config().sharedClassifier()).isTrue();
            assertThat(c.classifier()).isEmpty();
            assertValues(c.finalNorm(), "output_norm.weight", 10, 0, 8);
        }
    }

    @Test
    void wrongSizesNameTheFileAndTheHeader() throws IOException {
        Path file = Llama2cFiles.tinyUnshared(dir.resolve("tiny.bin"));
        byte[] bytes = Files.readAllBytes(file);
        Path truncated = Llama2cFiles.write(dir.resolve("truncated.bin"), Arrays.copyOf(bytes, bytes.length - 4));
        assertThatThrownBy(() -> Llama2cCheckpoint.open(truncated))
                .isInstanceOf(Llama2cFormatException.class)
                .hasMessage(truncated + ": truncated: " + (bytes.length - 4) + " bytes, but the header (dim=8 hidden_dim=12 "
                        + "n_layers=2 n_heads=4 n_kv_heads=2 vocab_size=-10 seq_len=4) needs exactly " + bytes.length);
        Path tooLong = Llama2cFiles.write(dir.resolve("long.bin"), Arrays.copyOf(bytes, bytes.length + 4));
        assertThatThrownBy(() -> Llama2cCheckpoint.open(tooLong))
                .hasMessage(tooLong + ": " + (bytes.length + 4) + " bytes, but the header (dim=8 hidden_dim=12 "
                        + "n_layers=2 n_heads=4 n_kv_heads=2 vocab_size=-10 seq_len=4) needs exactly " + bytes.length);
        Path tiny = Llama2cFiles.write(dir.resolve("stub.bin"), new byte[10]);
        assertThatThrownBy(() -> Llama2cCheckpoint.open(tiny))
                .hasMessage(tiny + ": truncated: 10 bytes, shorter than the 28-byte header");
    }

    @Test
    void nonsenseHeadersAreRefused() {
        assertHeaderRefused(new int[] {0, 12, 2, 4, 2, 10, 4}, "dim is 0, not positive");
        assertHeaderRefused(new int[] {8, -12, 2, 4, 2, 10, 4}, "hidden_dim is -12, not positive");
        assertHeaderRefused(new int[] {8, 12, 2, 3, 3, 10, 4}, "dim 8 is not a multiple of n_heads 3");
        assertHeaderRefused(new int[] {8, 12, 2, 4, 3, 10, 4}, "n_heads 4 is not a multiple of n_kv_heads 3");
        assertHeaderRefused(new int[] {8, 12, 2, 4, 2, Integer.MIN_VALUE, 4}, "vocab_size -2147483648 has no positive counterpart");
        assertHeaderRefused(new int[] {8, 12, 2, 4, 2, 0, 4}, "vocab_size is 0, not positive");
        Path huge = Llama2cFiles.checkpoint(dir.resolve("huge.bin"), new int[] {1 << 30, 1 << 30, 1 << 30, 1, 1, 1, 1}, new int[0]);
        assertThatThrownBy(() -> Llama2cCheckpoint.open(huge))
                .isInstanceOf(Llama2cFormatException.class)
                .hasMessageContaining("overflow a long");
        Path text = Llama2cFiles.write(dir.resolve("notes.txt"), "this is a text file, not a model at all".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> Llama2cCheckpoint.open(text))
                .isInstanceOf(Llama2cFormatException.class)
                .hasMessageStartingWith(text + ": ");
    }

    @Test
    void missingFileNamesThePath() {
        Path missing = dir.resolve("missing.bin");
        assertThatThrownBy(() -> Llama2cCheckpoint.open(missing))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageStartingWith(missing + ": cannot read llama2.c checkpoint");
    }

    private void assertHeaderRefused(int[] header, String problem) {
        Path file = Llama2cFiles.checkpoint(dir.resolve("bad.bin"), header, new int[] {64});
        assertThatThrownBy(() -> Llama2cCheckpoint.open(file))
                .isInstanceOf(Llama2cFormatException.class)
                .hasMessageStartingWith(file + ": not a llama2.c checkpoint: header dim=" + header[0])
                .hasMessageEndingWith("is invalid (" + problem + ")");
    }

    /** Asserts the view's name, F32 type, dims, and that it holds group {@code group}'s floats from {@code first}. */
    private static void assertValues(Tensor t, String name, int group, int first, long... dims) {
        assertThat(t.name()).isEqualTo(name);
        assertThat(t.type()).isEqualTo(DType.F32);
        assertThat(t.dims()).containsExactly(dims);
        float[] values = new float[Math.toIntExact(t.elementCount())];
        t.data().asByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        for (int i = 0; i < values.length; i++) {
            assertThat(values[i]).as("%s[%d]", name, i).isEqualTo(group * 10_000 + first + i);
        }
    }
}

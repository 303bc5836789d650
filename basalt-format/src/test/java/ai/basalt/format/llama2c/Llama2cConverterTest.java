package ai.basalt.format.llama2c;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.basalt.format.gguf.GgufFile;
import ai.basalt.format.gguf.GgufTensorInfo;
import ai.basalt.format.gguf.TokenType;
import ai.basalt.testkit.ConformanceData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Llama2cConverterTest {
    private static final String DIR = "models/stories260K/";

    @TempDir
    Path dir;

    @Test
    void stories260KConvertsToTheReferenceGguf() throws IOException {
        Path reference = ConformanceData.require(DIR + "stories260K.gguf");
        Path out = dir.resolve("stories260K.gguf");
        Llama2cConverter.convert(ConformanceData.require(DIR + "stories260K.bin"), ConformanceData.require(DIR + "tok512.bin"), out);

        try (GgufFile expected = GgufFile.open(reference); GgufFile actual = GgufFile.open(out)) {
            assertThat(List.copyOf(actual.metadata().keys())).containsExactlyElementsOf(expected.metadata().keys());
            for (String key : expected.metadata().keys()) {
                assertThat(actual.metadata().type(key)).as(key).isEqualTo(expected.metadata().type(key));
                assertThat(actual.metadata().raw(key)).as(key).isEqualTo(expected.metadata().raw(key));
            }
            assertThat(actual.tensors()).containsExactlyElementsOf(expected.tensors());
            for (GgufTensorInfo t : expected.tensors()) {
                assertThat(actual.tensor(t.name()).data().toArray(ValueLayout.JAVA_BYTE)).as(t.name())
                        .isEqualTo(expected.tensor(t.name()).data().toArray(ValueLayout.JAVA_BYTE));
            }
        }
        // Same metadata, same tensors, same layout: the very same bytes.
        assertThat(Files.mismatch(reference, out)).isEqualTo(-1L);
    }

    @Test
    void tokensFollowLlamaCppsConverter() {
        Path checkpoint = Llama2cFiles.tinyShared(dir.resolve("tiny.bin"));
        Path tokenizer = Llama2cFiles.tokenizer(dir.resolve("tok.bin"),
                "<unk>", "\n<s>\n", "\n</s>\n", "<0x00>", "<0x0A>", "", " a", "b c", "\u00e9", "<0x0g>");
        Path out = dir.resolve("tiny.gguf");
        Llama2cConverter.convert(checkpoint, tokenizer, out);
        try (GgufFile gguf = GgufFile.open(out)) {
            assertThat(gguf.metadata().getString("general.name")).isEqualTo("tiny");
            assertThat(gguf.metadata().getStringArray("tokenizer.ggml.tokens")).containsExactly(
                    "<unk>", "<s>", "</s>", "<0x00>", "<0x0A>", "", "\u2581a", "b\u2581c", "\u00e9", "<0x0g>");
            assertThat(gguf.metadata().getIntArray("tokenizer.ggml.token_type")).containsExactly(
                    Arrays.stream(new TokenType[] {TokenType.UNKNOWN, TokenType.CONTROL, TokenType.CONTROL, TokenType.BYTE,
                            TokenType.BYTE, TokenType.CONTROL, TokenType.NORMAL, TokenType.NORMAL, TokenType.NORMAL,
                            TokenType.NORMAL}).mapToInt(TokenType::id).toArray());
            assertThat(gguf.metadata().getFloatArray("tokenizer.ggml.scores")).containsExactly(0f, -1f, -2f, -3f, -4f, -5f, -6f, -7f, -8f, -9f);
            assertThat(gguf.metadata().getInt("llama.rope.dimension_count")).isEqualTo(2);
            assertThat(gguf.metadata().getInt("llama.attention.head_count_kv")).isEqualTo(2);
            assertThat(gguf.findTensor("output.weight")).isEmpty();
        }
    }

    @Test
    void separateClassifierBecomesOutputWeightAfterTheFinalNorm() {
        Path checkpoint = Llama2cFiles.tinyUnshared(dir.resolve("tiny.bin"));
        Path tokenizer = Llama2cFiles.tokenizer(dir.resolve("tok.bin"), "a", "b", "c", "d", "e", "f", "g", "h", "i", "j");
        Path out = dir.resolve("tiny.gguf");
        Llama2cConverter.convert(checkpoint, tokenizer, out);
        try (GgufFile gguf = GgufFile.open(out); Llama2cCheckpoint source = Llama2cCheckpoint.open(checkpoint)) {
            assertThat(gguf.tensors()).extracting(GgufTensorInfo::name).startsWith("token_embd.weight", "output_norm.weight", "output.weight");
            assertThat(gguf.tensors()).hasSize(3 + 2 * 9);
            assertThat(gguf.tensor("output.weight").dims()).containsExactly(8, 10);
            assertThat(gguf.tensor("output.weight").data().toArray(ValueLayout.JAVA_BYTE))
                    .isEqualTo(source.classifier().orElseThrow().data().toArray(ValueLayout.JAVA_BYTE));
            assertThat(gguf.tensor("blk.1.attn_k.weight").data().toArray(ValueLayout.JAVA_BYTE))
                    .isEqualTo(source.wk(1).data().toArray(ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void vocabularySizeMismatchNamesBothFilesAndWritesNothing() {
        Path checkpoint = Llama2cFiles.tinyShared(dir.resolve("tiny.bin"));
        Path tokenizer = Llama2cFiles.tokenizer(dir.resolve("tok.bin"), "a", "b", "c");
        Path out = dir.resolve("tiny.gguf");
        assertThatThrownBy(() -> Llama2cConverter.convert(checkpoint, tokenizer, out))
                .isInstanceOf(Llama2cFormatException.class)
                .hasMessage(tokenizer + ": 3 tokens, but checkpoint tiny.bin has vocab_size 10");
        assertThat(out).doesNotExist();
    }

    @Test
    void malformedTokenizers() throws IOException {
        Path ok = Llama2cFiles.tokenizer(dir.resolve("ok.bin"), "ab", "c", "");
        Llama2cTokenizer read = Llama2cTokenizer.read(ok);
        assertThat(read.size()).isEqualTo(3);
        assertThat(read.maxTokenLength()).isEqualTo(2);
        assertThat(read.piece(0)).isEqualTo("ab");
        assertThat(read.score(2)).isEqualTo(-2f);

        byte[] bytes = Files.readAllBytes(ok);
        Path cut = Llama2cFiles.write(dir.resolve("cut.bin"), Arrays.copyOf(bytes, bytes.length - 9));
        assertThatThrownBy(() -> Llama2cTokenizer.read(cut))
                .isInstanceOf(Llama2cFormatException.class)
                .hasMessage(cut + ": truncated at token 1: 1 bytes expected, 0 left");
        Path cutHeader = Llama2cFiles.write(dir.resolve("cut2.bin"), Arrays.copyOf(bytes, bytes.length - 3));
        assertThatThrownBy(() -> Llama2cTokenizer.read(cutHeader))
                .hasMessage(cutHeader + ": truncated at token 2: 5 bytes left, 8 needed for score and length");
        Path empty = Llama2cFiles.write(dir.resolve("empty.bin"), new byte[0]);
        assertThatThrownBy(() -> Llama2cTokenizer.read(empty)).hasMessage(empty + ": truncated: 0 bytes, no max_token_length");
        bytes[0] = 1;
        Path tooLong = Llama2cFiles.write(dir.resolve("long.bin"), bytes);
        assertThatThrownBy(() -> Llama2cTokenizer.read(tooLong))
                .hasMessage(tooLong + ": token 0 has length 2, 0 to max_token_length 1 expected");
        Path missing = dir.resolve("missing.bin");
        assertThatThrownBy(() -> Llama2cTokenizer.read(missing))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageStartingWith(missing + ": cannot read llama2.c tokenizer");
    }
}

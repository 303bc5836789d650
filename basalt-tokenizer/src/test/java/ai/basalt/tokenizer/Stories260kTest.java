package ai.basalt.tokenizer;

import ai.basalt.format.gguf.TokenType;

import static org.assertj.core.api.Assertions.assertThat;

import ai.basalt.testkit.ConformanceData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * The 512-token vocabulary of llama2.c's stories260K model: so small that most text falls back to bytes.
 * Read here with a minimal reader of llama2.c's {@code tokenizer.bin} layout (little-endian
 * {@code int32 max_token_length}, then per token {@code float32 score, int32 length, bytes}); the format
 * module owns the real one.
 */
class Stories260kTest {
    private static final String TOKENIZER = "models/stories260K/tok512.bin";

    private static Vocabulary vocabulary;

    /** llama2.c exports pieces with U+2581 turned into spaces and BOS/EOS as "\n<s>\n"/"\n</s>\n": undone here. */
    static synchronized Vocabulary vocabulary() throws IOException {
        if (vocabulary == null) {
            ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(ConformanceData.require(TOKENIZER)))
                    .order(ByteOrder.LITTLE_ENDIAN);
            int maxLength = in.getInt();
            String[] tokens = new String[512];
            float[] scores = new float[512];
            TokenType[] types = new TokenType[512];
            for (int id = 0; id < 512; id++) {
                scores[id] = in.getFloat();
                byte[] text = new byte[in.getInt()];
                assertThat(text.length).isLessThanOrEqualTo(maxLength);
                in.get(text);
                tokens[id] = new String(text, StandardCharsets.UTF_8).replace(' ', '▁');
                types[id] = id == 0 ? TokenType.UNKNOWN : id <= 2 ? TokenType.CONTROL
                        : id <= 258 ? TokenType.BYTE : TokenType.NORMAL;
            }
            assertThat(in.hasRemaining()).isFalse();
            tokens[1] = "<s>";
            tokens[2] = "</s>";
            vocabulary = new Vocabulary(tokens, scores, types, 1, 2, 0, -1, true, false, true);
        }
        return vocabulary;
    }

    @Test
    void mergesWordsItKnows() throws IOException {
        Tokenizer t = Tokenizers.sentencePiece(vocabulary());
        assertThat(t.vocabulary().token(265)).isEqualTo("▁the");
        assertThat(t.encode("the")).containsExactly(265);
        assertThat(t.encode(" the")).containsExactly(410, 265);
        assertThat(t.encode("The")).containsExactly(291);
        assertThat(t.encode("the", true, false)).containsExactly(1, 265);
    }

    @Test
    void fallsBackToBytesForCharactersItLacks() throws IOException {
        Tokenizer t = Tokenizers.sentencePiece(vocabulary());
        // "▁" then the UTF-8 bytes E6 97 A5 of 日 as byte tokens 3 + byte
        assertThat(t.encode("日")).containsExactly(410, 3 + 0xE6, 3 + 0x97, 3 + 0xA5);
        assertThat(t.decode(t.encode("日"))).isEqualTo("日");
        assertThat(t.encode("\n")).containsExactly(410, 3 + 0x0A);
    }

    /** Over {@link RandomInputs#text}, as {@link RoundTripTest} checks the Llama 2 vocabulary. */
    @Test
    void decodesWhatItEncodes() throws IOException {
        Tokenizer t = Tokenizers.sentencePiece(vocabulary());
        RandomInputs.forAll("Stories260kTest.decodesWhatItEncodes", RandomInputs.textEdgeCases(cp -> true), 300,
                RandomInputs::text, text -> {
                    int[] tokens = t.encode(text);
                    assertThat(t.decode(tokens)).isEqualTo(text);
                    StringBuilder streamed = new StringBuilder();
                    TokenDecoder decoder = t.newStreamingDecoder();
                    for (int token : tokens) {
                        streamed.append(decoder.append(token));
                    }
                    assertThat(streamed.append(decoder.flush()).toString()).isEqualTo(text);
                });
    }
}

package ai.basalt.tokenizer;

import ai.basalt.format.gguf.TokenType;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.basalt.testkit.ConformanceData;
import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading SentencePiece {@code .model} files, well-formed and not. */
class SentencePieceModelReaderTest {

    private static Vocabulary small() {
        return TestVocabularies.llamaLayout().withByteTokens().normal("▁", -1f).normal("a", -2.5f)
                .add("<sep>", 0f, TokenType.USER_DEFINED).add("<reserved>", 0f, TokenType.UNUSED).build(true);
    }

    @Test
    void readsTheLlama2Model() {
        Vocabulary v = SentencePieceModelReader.read(ConformanceData.require(LlamaVocabulary.MODEL));
        assertThat(v.size()).isEqualTo(32000);
        assertThat(v.unk()).isZero();
        assertThat(v.bos()).isEqualTo(1);
        assertThat(v.eos()).isEqualTo(2);
        assertThat(v.pad()).isEqualTo(-1);
        assertThat(v.addBos()).isTrue();
        assertThat(v.addEos()).isFalse();
        assertThat(v.addSpacePrefix()).isTrue();
        assertThat(v.token(0)).isEqualTo("<unk>");
        assertThat(v.type(0)).isEqualTo(TokenType.UNKNOWN);
        assertThat(v.type(1)).isEqualTo(TokenType.CONTROL);
        assertThat(v.token(3)).isEqualTo("<0x00>");
        assertThat(v.type(258)).isEqualTo(TokenType.BYTE);
        assertThat(v.token(29871)).isEqualTo("▁");
        assertThat(v.id("▁Hello")).isEqualTo(15043);
        assertThat(v.score(15043)).isLessThan(0f);
    }

    @Test
    void readsWhatTheWriterWrites(@TempDir Path dir) {
        Vocabulary v = small();
        Path file = dir.resolve("small.model");
        SentencePieceModelWriter.write(v, file);
        assertThat(SentencePieceModelReader.read(file)).isEqualTo(v);
        Vocabulary noPrefix = new Vocabulary(v.tokens(), v.scores(), v.types(), -1, 2, 0, 5, false, false, false);
        assertThat(SentencePieceModelReader.read(SentencePieceModelWriter.write(noPrefix), "mem")).isEqualTo(noPrefix);
    }

    @Test
    void rewritesTheLlama2ModelToTheSameVocabulary() {
        Vocabulary v = SentencePieceModelReader.read(ConformanceData.require(LlamaVocabulary.MODEL));
        assertThat(SentencePieceModelReader.read(SentencePieceModelWriter.write(v), "rewritten")).isEqualTo(v);
    }

    @Test
    void namesTheFileWhenTruncated(@TempDir Path dir) throws IOException {
        byte[] model = SentencePieceModelWriter.write(small());
        Path file = dir.resolve("truncated.model");
        Files.write(file, Arrays.copyOf(model, model.length / 2));
        assertThatThrownBy(() -> SentencePieceModelReader.read(file))
                .isInstanceOf(TokenizerFormatException.class)
                .hasMessageStartingWith("malformed SentencePiece model: ")
                .hasMessageContaining(file.toString())
                .hasMessageNotContaining("\n");
    }

    @Test
    void rejectsRandomBytes() {
        byte[] noise = new byte[4096];
        new Random(42).nextBytes(noise);
        assertThatThrownBy(() -> SentencePieceModelReader.read(noise, "noise.model"))
                .isInstanceOf(TokenizerFormatException.class).hasMessageContaining("noise.model");
    }

    @Test
    void rejectsAnEmptyModel() {
        assertThatThrownBy(() -> SentencePieceModelReader.read(new byte[0], "empty.model"))
                .isInstanceOf(TokenizerFormatException.class)
                .hasMessage("malformed SentencePiece model: no pieces, expected at least one (file: empty.model)");
    }

    @Test
    void rejectsABadPieceType() throws IOException {
        byte[] model = message(out -> out.writeByteArray(1, message(p -> {
            p.writeString(1, "a");
            p.writeEnum(3, 9);
        })));
        assertThatThrownBy(() -> SentencePieceModelReader.read(model, "m"))
                .hasMessage("malformed SentencePiece model: piece 0 has type 9, expected 1..6 (file: m)");
    }

    @Test
    void rejectsAnEmptyPiece() throws IOException {
        byte[] model = message(out -> out.writeByteArray(1, message(p -> p.writeFloat(2, 1f))));
        assertThatThrownBy(() -> SentencePieceModelReader.read(model, "m"))
                .hasMessageContaining("piece 0 is empty");
    }

    @Test
    void rejectsAFieldWithTheWrongWireType() throws IOException {
        byte[] model = message(out -> out.writeInt32(1, 7));
        assertThatThrownBy(() -> SentencePieceModelReader.read(model, "m"))
                .hasMessage("malformed SentencePiece model: field 1 has wire type 0, expected 2 (file: m)");
    }

    @Test
    void rejectsSpecialIdsOutOfRange() throws IOException {
        byte[] model = message(out -> {
            out.writeByteArray(1, message(p -> p.writeString(1, "<unk>")));
            out.writeByteArray(2, message(t -> t.writeInt32(41, 7)));
        });
        assertThatThrownBy(() -> SentencePieceModelReader.read(model, "m"))
                .isInstanceOf(TokenizerFormatException.class)
                .hasMessageContaining("bos id out of range: actual=7");
    }

    @Test
    void skipsFieldsItDoesNotNeed() throws IOException {
        byte[] model = message(out -> {
            out.writeString(100, "extension");
            out.writeByteArray(1, message(p -> {
                p.writeString(1, "<unk>");
                p.writeEnum(3, 2);
                p.writeFixed64(200, 5L);
            }));
            out.writeByteArray(2, message(t -> {
                t.writeString(1, "corpus.txt");
                t.writeInt32(41, -1);
                t.writeInt32(42, -1);
            }));
            out.writeByteArray(4, message(s -> s.writeString(1, "self test")));
        });
        Vocabulary v = SentencePieceModelReader.read(model, "m");
        assertThat(v.tokens()).containsExactly("<unk>");
        assertThat(v.bos()).isEqualTo(-1);
        assertThat(v.addBos()).isFalse();
        assertThat(v.addSpacePrefix()).isTrue();
    }

    @Test
    void mutatedModelsFailOnlyWithAOneLineFormatError() {
        int tries = 1000;
        int[] read = {0};
        RandomInputs.forAll("SentencePieceModelReaderTest.mutatedModelsFailOnlyWithAOneLineFormatError", List.of(),
                tries, SentencePieceModelReaderTest::mutatedModel, model -> {
                    if (readsOrIsRejected(model)) read[0]++;
                });
        // Both outcomes must be common, or the mutations are too mild or too destructive to test anything.
        assertThat(100.0 * read[0] / tries).as("%% of %d mutated models read (%s)", tries, RandomInputs.seedNote())
                .isGreaterThan(5);
        assertThat(100.0 * (tries - read[0]) / tries)
                .as("%% of %d mutated models rejected (%s)", tries, RandomInputs.seedNote()).isGreaterThan(5);
    }

    /** The edge cases, every one: the model cut at each length, each byte flipped, and nothing but 0xFF bytes. */
    @Test
    void everyTruncationAndFlipOfAModelFailsOnlyWithAOneLineFormatError() {
        List<byte[]> models = new ArrayList<>();
        for (int n = 0; n < MODEL.length; n++) {
            models.add(Arrays.copyOf(MODEL, n));
            byte[] flipped = MODEL.clone();
            flipped[n] ^= (byte) 0xFF;
            models.add(flipped);
        }
        models.add(new byte[64]);
        byte[] ones = new byte[64];
        Arrays.fill(ones, (byte) 0xFF);
        models.add(ones);
        RandomInputs.forAll("SentencePieceModelReaderTest.everyTruncationAndFlipOfAModel", models, 0, r -> null,
                SentencePieceModelReaderTest::readsOrIsRejected);
    }

    /**
     * Reads {@code model}: true if it reads and its tokenizer encodes and decodes, false if it is rejected with a
     * one-line {@link TokenizerFormatException} naming the file; anything else fails.
     */
    private static boolean readsOrIsRejected(byte[] model) {
        try {
            Vocabulary v = SentencePieceModelReader.read(model, "mutated.model");
            Tokenizer t = Tokenizers.sentencePiece(v);
            assertThat(t.decode(t.encode("ab <s>", true, true), true, true)).isNotNull();
            return true;
        } catch (TokenizerFormatException e) {
            assertThat(e.getMessage()).contains("mutated.model").doesNotContain("\n");
            return false;
        }
    }

    @Test
    void rejectsAByteTokenWithoutAByte() throws IOException {
        byte[] model = message(out -> out.writeByteArray(1, message(p -> {
            p.writeString(1, "<0xZZ>");
            p.writeEnum(3, 6);
        })));
        assertThatThrownBy(() -> SentencePieceModelReader.read(model, "m"))
                .hasMessage("malformed SentencePiece model: byte piece 0 reads '<0xZZ>', expected <0xHH> (file: m)");
    }

    /** The model the mutations start from. */
    private static final byte[] MODEL = SentencePieceModelWriter.write(
            TestVocabularies.llamaLayout().normal("▁", -1f).normal("ab", -2f).build(true));

    /**
     * One of, equally often: the model with one to four bytes overwritten, the model cut short, the model with up
     * to six bytes inserted, or up to 64 random bytes.
     */
    private static byte[] mutatedModel(SplittableRandom r) {
        return switch (r.nextInt(4)) {
            case 0 -> {
                byte[] copy = MODEL.clone();
                int n = RandomInputs.between(r, 1, 4);
                for (int i = 0; i < n; i++) {
                    copy[RandomInputs.between(r, 0, MODEL.length - 1)] = RandomInputs.anyByte(r);
                }
                yield copy;
            }
            case 1 -> Arrays.copyOf(MODEL, RandomInputs.between(r, 0, MODEL.length - 1));
            case 2 -> {
                int at = RandomInputs.between(r, 0, MODEL.length - 1);
                byte[] extra = RandomInputs.bytes(r, 6);
                byte[] copy = new byte[MODEL.length + extra.length];
                System.arraycopy(MODEL, 0, copy, 0, at);
                System.arraycopy(extra, 0, copy, at, extra.length);
                System.arraycopy(MODEL, at, copy, at + extra.length, MODEL.length - at);
                yield copy;
            }
            default -> RandomInputs.bytes(r, 64);
        };
    }

    private interface Body {
        void write(CodedOutputStream out) throws IOException;
    }

    private static byte[] message(Body body) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        body.write(out);
        out.flush();
        return bytes.toByteArray();
    }
}

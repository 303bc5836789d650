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
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
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

    @Property(tries = 1000)
    void mutatedModelsFailOnlyWithAOneLineFormatError(@ForAll("mutatedModels") byte[] model) {
        try {
            Vocabulary v = SentencePieceModelReader.read(model, "mutated.model");
            Tokenizer t = Tokenizers.sentencePiece(v);
            assertThat(t.decode(t.encode("ab <s>", true, true), true, true)).isNotNull();
            Statistics.label("outcome").collect("read");
        } catch (TokenizerFormatException e) {
            assertThat(e.getMessage()).contains("mutated.model").doesNotContain("\n");
            Statistics.label("outcome").collect("rejected");
        }
        Statistics.label("outcome").coverage(coverage -> {
            coverage.check("read").percentage(p -> p > 5);
            coverage.check("rejected").percentage(p -> p > 5);
        });
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

    @Provide
    Arbitrary<byte[]> mutatedModels() {
        byte[] model = SentencePieceModelWriter.write(
                TestVocabularies.llamaLayout().normal("▁", -1f).normal("ab", -2f).build(true));
        Arbitrary<Integer> position = Arbitraries.integers().between(0, model.length - 1);
        Arbitrary<byte[]> flipped = Combinators.combine(position.list().ofMinSize(1).ofMaxSize(4),
                Arbitraries.bytes().list().ofSize(4)).as((positions, values) -> {
                    byte[] copy = model.clone();
                    for (int i = 0; i < positions.size(); i++) {
                        copy[positions.get(i)] = values.get(i);
                    }
                    return copy;
                });
        Arbitrary<byte[]> truncated = position.map(n -> Arrays.copyOf(model, n));
        Arbitrary<byte[]> inserted = Combinators.combine(position, Arbitraries.bytes().array(byte[].class).ofMaxSize(6))
                .as((at, extra) -> {
                    byte[] copy = new byte[model.length + extra.length];
                    System.arraycopy(model, 0, copy, 0, at);
                    System.arraycopy(extra, 0, copy, at, extra.length);
                    System.arraycopy(model, at, copy, at + extra.length, model.length - at);
                    return copy;
                });
        return Arbitraries.oneOf(flipped, truncated, inserted, Arbitraries.bytes().array(byte[].class).ofMaxSize(64));
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

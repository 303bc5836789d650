package ai.basalt.tokenizer.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.basalt.format.gguf.TokenType;
import ai.basalt.tokenizer.BpeMerge;
import ai.basalt.tokenizer.ByteLevel;
import ai.basalt.tokenizer.ByteLevelBpeTokenizer;
import ai.basalt.tokenizer.Vocabulary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trainer's conventions on corpora small enough to work out by hand. */
class BpeTrainerTest {

    @TempDir
    Path temp;

    private static ByteLevelBpeTokenizer train(String corpus, int vocabSize, String... specials) {
        return new BpeTrainer(new BpeTrainer.Config(vocabSize, List.of(specials))).train(corpus);
    }

    @Test
    void mergesTheMostFrequentPairFirst() {
        // pre-tokens "aa", " aa", " zz": (a,a) occurs twice, every other pair once
        assertThat(train("aa aa zz", 257).merges()).containsExactly(new BpeMerge("a", "a"));
    }

    @Test
    void breaksTiesTowardsTheLexicographicallyGreatestPair() {
        // pre-tokens "ab" and " cd": all pairs once; 'c' > 'a' > ' ' (0x20)
        assertThat(train("ab cd", 259).merges()).containsExactly(
                new BpeMerge("c", "d"), new BpeMerge("a", "b"), new BpeMerge("Ġ", "cd"));
    }

    @Test
    void comparesTheLeftSideFirstThenTheRight() {
        // (b, a) and (a, z) once each: left 'b' > 'a' wins although "az" > "ba" is false either way
        assertThat(train("ba az", 257).merges()).containsExactly(new BpeMerge("b", "a"));
        // same left: the greater right side wins
        assertThat(train("ab ac", 257).merges()).containsExactly(new BpeMerge("a", "c"));
    }

    @Test
    void comparesBytesUnsigned() {
        // "é" is C3 A9: (0xC3, 0xA9) beats (a, b) on a tie because 0xC3 > 0x61 unsigned
        assertThat(train("ab é", 257).merges()).containsExactly(new BpeMerge("Ã", "©"));
    }

    @Test
    void mergesOverlappingOccurrencesLeftToRight() {
        // "aaa" → "aa a", so the next merge is (aa, a), not (a, aa)
        assertThat(train("aaa", 258).merges()).containsExactly(new BpeMerge("a", "a"), new BpeMerge("aa", "a"));
    }

    @Test
    void keepsSpecialTokensOutOfTrainingAndPutsThemFirst() {
        ByteLevelBpeTokenizer t = train("xy<|endoftext|>xy<|eot|>yx", 259, "<|endoftext|>", "<|eot|>");
        Vocabulary v = t.vocabulary();
        assertThat(v.token(0)).isEqualTo("<|endoftext|>");
        assertThat(v.token(1)).isEqualTo("<|eot|>");
        assertThat(v.type(0)).isEqualTo(TokenType.CONTROL);
        assertThat(v.bos()).isZero();
        assertThat(v.eos()).isZero();
        assertThat(v.addBos()).isFalse();
        // without the specials, "y<" and ">x" would be pairs too; only (x, y) occurs twice
        assertThat(t.merges()).containsExactly(new BpeMerge("x", "y"));
    }

    @Test
    void ordersTheByteTokensByTheirCharacters() {
        Vocabulary v = train("abc", 256).vocabulary();
        List<String> expected = new ArrayList<>();
        for (int b = 0; b < 256; b++) expected.add(String.valueOf(ByteLevel.charOf(b)));
        expected.sort(null);
        assertThat(List.of(v.tokens())).isEqualTo(expected);
        assertThat(v.token(0)).isEqualTo("!");
        assertThat(v.token(255)).isEqualTo("Ń");
        assertThat(v.bos()).isEqualTo(-1);
    }

    @Test
    void stopsWhenNoPairIsLeft() {
        ByteLevelBpeTokenizer t = train("ab", 1000);
        assertThat(t.merges()).containsExactly(new BpeMerge("a", "b"));
        assertThat(t.vocabulary().size()).isEqualTo(257);
    }

    @Test
    void reportsProgress() throws IOException {
        Path corpus = temp.resolve("corpus.txt");
        Files.writeString(corpus, "the cat sat on the mat\n".repeat(1000), StandardCharsets.UTF_8);
        List<long[]> counting = new ArrayList<>();
        List<long[]> merging = new ArrayList<>();
        new BpeTrainer(new BpeTrainer.Config(262, List.of()).withChunkChars(4096), (phase, done, total) ->
                (phase == BpeTrainer.Phase.COUNTING ? counting : merging).add(new long[] {done, total})).train(corpus);
        assertThat(counting).isNotEmpty();
        assertThat(counting.getLast()).containsExactly(Files.size(corpus), Files.size(corpus));
        assertThat(merging).hasSize(6);
        assertThat(merging.getLast()).containsExactly(6, 6);
    }

    @Test
    void readsFilesAsStrings() throws IOException {
        String text = "Ünïcödé text,\r\nwith 123 numbers\tand\u3000spaces 🦙🦙\n\n";
        Path corpus = temp.resolve("corpus.txt");
        Files.writeString(corpus, text.repeat(50), StandardCharsets.UTF_8);
        BpeTrainer trainer = new BpeTrainer(new BpeTrainer.Config(300, List.of()).withChunkChars(100));
        ByteLevelBpeTokenizer fromFile = trainer.train(corpus);
        assertThat(fromFile.merges()).isEqualTo(trainer.train(text.repeat(50)).merges());
        assertThat(fromFile.decode(fromFile.encode(text))).isEqualTo(text);
    }

    @Test
    void rejectsBadConfigurations() {
        assertThatThrownBy(() -> new BpeTrainer.Config(256, List.of("<s>")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("too small");
        assertThatThrownBy(() -> new BpeTrainer.Config(300, List.of("<s>", "<s>")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("distinct");
        assertThatThrownBy(() -> new BpeTrainer.Config(300, List.of()).withThreads(0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

package ai.basalt.tokenizer.training;

import static org.assertj.core.api.Assertions.assertThat;

import ai.basalt.testkit.ConformanceData;
import ai.basalt.tokenizer.ByteLevelBpeFiles;
import ai.basalt.tokenizer.ByteLevelBpeTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer against Stanford CS336's reference ({@code tokenizers/bpe-reference/}): {@code corpus.en} trained to
 * 500 tokens with {@code <|endoftext|>} gives exactly {@code train-bpe-reference-merges.txt} and
 * {@code train-bpe-reference-vocab.json}, byte for byte, as {@link ByteLevelBpeFiles} writes them.
 */
class BpeTrainerReferenceTest {
    private static final String DIR = "tokenizers/bpe-reference/";

    @TempDir
    Path temp;

    @Test
    void reproducesTheReferenceMergesAndVocabularyByteForByte() throws IOException {
        Path corpus = ConformanceData.require(DIR + "corpus.en");
        Path expectedMerges = ConformanceData.require(DIR + "train-bpe-reference-merges.txt");
        Path expectedVocab = ConformanceData.require(DIR + "train-bpe-reference-vocab.json");
        ByteLevelBpeTokenizer trained = new BpeTrainer(new BpeTrainer.Config(500, List.of("<|endoftext|>"))).train(corpus);

        Path merges = temp.resolve("merges.txt");
        Path vocab = temp.resolve("vocab.json");
        ByteLevelBpeFiles.writeMerges(trained, merges, false);
        ByteLevelBpeFiles.writeVocabJson(trained, vocab);

        assertThat(Files.readString(merges)).isEqualTo(Files.readString(expectedMerges));
        assertThat(Files.readString(vocab)).isEqualTo(Files.readString(expectedVocab));
        assertThat(Files.readAllBytes(merges)).isEqualTo(Files.readAllBytes(expectedMerges));
        assertThat(Files.readAllBytes(vocab)).isEqualTo(Files.readAllBytes(expectedVocab));
    }

    @Test
    void givesTheSameResultOnAnyThreadCountAndChunkSize() {
        Path corpus = ConformanceData.require(DIR + "corpus.en");
        BpeTrainer.Config config = new BpeTrainer.Config(500, List.of("<|endoftext|>"));
        ByteLevelBpeTokenizer reference = new BpeTrainer(config.withThreads(1).withChunkChars(1 << 24)).train(corpus);
        for (int threads : new int[] {1, 3, 8}) {
            for (int chunk : new int[] {1, 97, 4096}) {
                ByteLevelBpeTokenizer t = new BpeTrainer(config.withThreads(threads).withChunkChars(chunk)).train(corpus);
                assertThat(t.merges()).as("threads %d, chunk %d", threads, chunk).isEqualTo(reference.merges());
                assertThat(t.vocabulary()).isEqualTo(reference.vocabulary());
            }
        }
    }
}

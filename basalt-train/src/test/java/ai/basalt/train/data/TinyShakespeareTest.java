package ai.basalt.train.data;

import static org.assertj.core.api.Assertions.assertThat;

import ai.basalt.testkit.ConformanceData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The nanoGPT shakespeare_char recipe on the real corpus, read in place: a character-level vocabulary of the
 * text's 65 characters, the first 90 % of the text for training and the rest for validation, which nanoGPT's
 * {@code data/shakespeare_char/prepare.py} reports as 1,003,854 and 111,540 tokens.
 */
class TinyShakespeareTest {
    @TempDir
    Path dir;

    @Test
    void shakespeareCharSplitMatchesNanoGpt() throws IOException {
        Path corpus = ConformanceData.require("corpus/tinyshakespeare.txt");
        String text = Files.readString(corpus, StandardCharsets.UTF_8);
        CharLevelTokenizer tokenizer = CharLevelTokenizer.of(text, false);
        assertThat(tokenizer.vocabulary().size()).isEqualTo(65);

        DataPreparer.Result r = new DataPreparer(tokenizer, PrepareOptions.defaults().withChunkChars(1 << 16))
                .prepare(List.of(corpus), dir, DataPreparer.Progress.NONE);
        assertThat(r.trainTokens()).isEqualTo(1_003_854);
        assertThat(r.validationTokens()).isEqualTo(111_540);

        try (TokenShard train = TokenShard.open(r.train()); TokenShard val = TokenShard.open(r.validation())) {
            train.requireTokenizer(tokenizer);
            train.verify();
            assertThat(train.tokenWidth()).isEqualTo(2);
            int[] head = new int[40];
            train.read(0, head, 0, head.length);
            assertThat(tokenizer.decode(head)).isEqualTo(text.substring(0, 40));
            int[] tail = new int[(int) val.tokenCount()];
            val.read(0, tail, 0, tail.length);
            assertThat(tokenizer.decode(tail)).isEqualTo(text.substring(1_003_854));

            BatchLoader loader = BatchLoader.random(train, 12, 64, 1337);
            BatchLoader.Batch batch = loader.next();
            for (int row = 0; row < 12; row++) {
                String x = tokenizer.decode(java.util.Arrays.copyOfRange(batch.inputs(), row * 64, row * 64 + 64));
                String y = tokenizer.decode(java.util.Arrays.copyOfRange(batch.targets(), row * 64, row * 64 + 64));
                assertThat(text).contains(x.charAt(0) + y);
            }
        }
    }
}

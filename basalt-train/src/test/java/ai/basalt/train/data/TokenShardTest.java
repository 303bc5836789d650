package ai.basalt.train.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Token shards round-trip through writer and reader, and every corruption or mismatch is named. */
class TokenShardTest {
    private static final byte[] FINGERPRINT = TokenizerFingerprint.of(CharLevelTokenizer.of("abc", true));

    @TempDir
    Path dir;

    private Path write(String name, int vocabularySize, int[] tokens) {
        Path path = dir.resolve(name);
        try (TokenShardWriter w = new TokenShardWriter(path, vocabularySize, FINGERPRINT)) {
            w.write(tokens, 0, tokens.length / 2);
            w.write(tokens, tokens.length / 2, tokens.length - tokens.length / 2);
            w.finish();
        }
        return path;
    }

    private static int[] randomTokens(int n, int vocabularySize, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        return r.ints(n, 0, vocabularySize).toArray();
    }

    @Test
    void smallVocabulariesAreStoredAsUint16AndLargeOnesAsUint32() throws IOException {
        for (int v : new int[] {1, 65, 65_536, 65_537, 200_000}) {
            int[] tokens = randomTokens(3_000_000 / (v > 65_536 ? 4 : 1) / 10, v, v);
            Path path = write("v" + v + ".tokens", v, tokens);
            int width = v <= 65_536 ? 2 : 4;
            assertThat(Files.size(path)).isEqualTo(64 + (long) tokens.length * width);
            try (TokenShard shard = TokenShard.open(path)) {
                assertThat(shard.tokenWidth()).isEqualTo(width);
                assertThat(shard.vocabularySize()).isEqualTo(v);
                assertThat(shard.tokenCount()).isEqualTo(tokens.length);
                assertThat(shard.fingerprint()).isEqualTo(FINGERPRINT);
                int[] back = new int[tokens.length];
                shard.read(0, back, 0, back.length);
                assertThat(back).isEqualTo(tokens);
                assertThat(shard.token(tokens.length - 1)).isEqualTo(tokens[tokens.length - 1]);
                shard.verify();
            }
        }
    }

    @Test
    void headerStartsWithMagicAndVersion() throws IOException {
        Path path = write("h.tokens", 65, new int[] {1, 2, 3});
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(path)).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(new String(Arrays.copyOf(b.array(), 8), java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("BSLTTOKS");
        assertThat(b.getInt(8)).isEqualTo(1);
        assertThat(b.getInt(12)).isEqualTo(2);
        assertThat(b.getInt(16)).isEqualTo(65);
        assertThat(b.getLong(24)).isEqualTo(3);
        assertThat(b.getShort(64)).isEqualTo((short) 1);
    }

    @Test
    void emptyShardIsValid() {
        try (TokenShard shard = TokenShard.open(write("empty.tokens", 10, new int[0]))) {
            assertThat(shard.tokenCount()).isZero();
            shard.verify();
        }
    }

    @Test
    void corruptHeadersAreNamed() throws IOException {
        byte[] good = Files.readAllBytes(write("good.tokens", 65, new int[] {1, 2, 3, 4}));
        expectCorrupt(Arrays.copyOf(good, 10), "file is 10 bytes, shorter than the 64-byte header");
        expectCorrupt(patch(good, 0, 0x7F), "not a Basalt token shard (magic 'BSLTTOKS' expected, found '7f534c54544f4b53')");
        expectCorrupt(patchInt(good, 8, 2), "unsupported token shard version 2 (1 expected)");
        expectCorrupt(patchInt(good, 12, 3), "token width 3, 2 or 4 expected");
        expectCorrupt(patchInt(good, 12, 4), "token width 4 does not suit vocabulary size 65 (2 bytes up to 65536 tokens, else 4)");
        expectCorrupt(patchInt(good, 16, 0), "vocabulary size 0, 1 to 2^31-1 expected");
        expectCorrupt(patchInt(good, 16, -1), "vocabulary size 4294967295, 1 to 2^31-1 expected");
        expectCorrupt(Arrays.copyOf(good, good.length - 1), "file is 71 bytes, but its header says 4 tokens of 2 bytes");
        expectCorrupt(Arrays.copyOf(good, good.length + 2), "file is 74 bytes, but its header says 4 tokens");
        byte[] hugeCount = good.clone();
        ByteBuffer.wrap(hugeCount).order(ByteOrder.LITTLE_ENDIAN).putLong(24, Long.MAX_VALUE);
        expectCorrupt(hugeCount, "file is 72 bytes, but its header says 9223372036854775807 tokens");
    }

    @Test
    void corruptTokensAreFoundWhenReadOrVerified() throws IOException {
        byte[] good = Files.readAllBytes(write("t.tokens", 65, new int[] {1, 2, 3, 4}));
        Path outOfVocabulary = dir.resolve("oov.tokens");
        Files.write(outOfVocabulary, patch(good, 64 + 2 * 2, 70));
        try (TokenShard shard = TokenShard.open(outOfVocabulary)) {
            assertThat(shard.token(1)).isEqualTo(2);
            assertThatThrownBy(() -> shard.token(2)).isInstanceOf(TokenShardFormatException.class)
                    .hasMessage(outOfVocabulary + ": token 70 at position 2 is outside the vocabulary of 65 tokens");
            assertThatThrownBy(shard::verify).isInstanceOf(TokenShardFormatException.class)
                    .hasMessageContaining("checksum mismatch");
        }
        Path flipped = dir.resolve("flip.tokens");
        Files.write(flipped, patch(good, 64, 5));
        try (TokenShard shard = TokenShard.open(flipped)) {
            assertThat(shard.token(0)).isEqualTo(5);
            assertThatThrownBy(shard::verify).isInstanceOf(TokenShardFormatException.class)
                    .hasMessageStartingWith(flipped + ": checksum mismatch (header says CRC-32C 0x");
        }
    }

    @Test
    void shardOfAnotherTokenizerIsRefused() {
        Path path = write("m.tokens", 4, new int[] {0, 1, 2, 3});
        try (TokenShard shard = TokenShard.open(path)) {
            shard.requireTokenizer(CharLevelTokenizer.of("abc", true));
            assertThatThrownBy(() -> shard.requireTokenizer(CharLevelTokenizer.of("abcd", false)))
                    .isInstanceOf(TokenShardFormatException.class)
                    .hasMessageStartingWith(path + ": made by another tokenizer (fingerprint ");
            assertThatThrownBy(() -> shard.requireTokenizer(CharLevelTokenizer.of("abcd", true)))
                    .isInstanceOf(TokenShardFormatException.class)
                    .hasMessage(path + ": made with a vocabulary of 4 tokens, but the tokenizer has 5");
        }
    }

    @Test
    void writerRefusesOutOfVocabularyTokensAndAnAbandonedShardLeavesNoFile() throws IOException {
        Path path = dir.resolve("abandoned.tokens");
        try (TokenShardWriter w = new TokenShardWriter(path, 10, FINGERPRINT)) {
            w.write(new int[] {1, 2});
            assertThatThrownBy(() -> w.write(new int[] {3, 10})).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("token 10 is outside the vocabulary of 10 tokens");
            assertThat(w.tokenCount()).isEqualTo(2);
        }
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
        assertThatThrownBy(() -> TokenShard.open(path)).isInstanceOf(UncheckedIOException.class)
                .hasMessage(path + ": cannot read token shard (no such file)");
    }

    private void expectCorrupt(byte[] bytes, String message) throws IOException {
        Path path = dir.resolve("corrupt.tokens");
        Files.write(path, bytes);
        assertThatThrownBy(() -> TokenShard.open(path).close()).isInstanceOf(TokenShardFormatException.class)
                .hasMessageStartingWith(path + ": " + message);
    }

    private static byte[] patch(byte[] bytes, int at, int value) {
        byte[] out = bytes.clone();
        out[at] = (byte) value;
        return out;
    }

    private static byte[] patchInt(byte[] bytes, int at, int value) {
        byte[] out = bytes.clone();
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putInt(at, value);
        return out;
    }
}

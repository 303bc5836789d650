package ai.basalt.train.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Corpora made here, prepared into shards: documents, separators, splits, chunking, threads and errors. */
class DataPreparerTest {
    private static final String ALPHABET = "abcdefghij klmnopqrstuvwxyz.,\n\r\"é😀";
    private static final CharLevelTokenizer TOKENIZER = CharLevelTokenizer.of(ALPHABET, true);
    private static final int EOS = TOKENIZER.vocabulary().eos();

    @TempDir
    Path dir;

    private Path file(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content, StandardCharsets.UTF_8);
        return p;
    }

    private static String text(Path shard) {
        try (TokenShard s = TokenShard.open(shard)) {
            s.requireTokenizer(TOKENIZER);
            s.verify();
            int[] tokens = new int[(int) s.tokenCount()];
            s.read(0, tokens, 0, tokens.length);
            return TOKENIZER.decode(tokens, false, true);
        }
    }

    private DataPreparer.Result prepare(PrepareOptions options, List<Path> inputs, String out) {
        return new DataPreparer(TOKENIZER, options).prepare(inputs, dir.resolve(out), DataPreparer.Progress.NONE);
    }

    private static PrepareOptions options() {
        return PrepareOptions.defaults().withThreads(2);
    }

    @Test
    void filesAreDocumentsSeparatedByEndOfText() throws IOException {
        Path a = file("a.txt", "hello world.\nsecond line\n");
        Path b = file("b.txt", "\uFEFFbye");
        DataPreparer.Result r = prepare(options().withSplit(PrepareOptions.Split.CONTIGUOUS, 0), List.of(a, b), "out");
        assertThat(text(r.train())).isEqualTo("hello world.\nsecond line\n" + CharLevelTokenizer.EOS + "bye" + CharLevelTokenizer.EOS);
        assertThat(r.trainTokens()).isEqualTo(25 + 1 + 3 + 1);
        assertThat(r.validationTokens()).isZero();
        assertThat(r.documents()).isEqualTo(2);
        assertThat(r.bytes()).isEqualTo(Files.size(a) + Files.size(b));
        assertThat(r.train()).isEqualTo(dir.resolve("out").resolve(DataPreparer.TRAIN_FILE));
    }

    @Test
    void contiguousSplitCutsAtTheExactByteAsNanoGptDoes() throws IOException {
        String corpus = "abcdefghij".repeat(7) + "\n" + "klmnopqrst".repeat(3);
        Path p = file("c.txt", corpus);
        for (int chunk : new int[] {2, 3, 7, 64, 1 << 20}) {
            DataPreparer.Result r = prepare(options().withChunkChars(chunk).withSeparateDocuments(false), List.of(p), "c" + chunk);
            int n = corpus.length();
            int cut = (int) (n * 0.9); // train_data = data[:int(n*0.9)]
            assertThat(text(r.train())).as("chunk %d", chunk).isEqualTo(corpus.substring(0, cut));
            assertThat(text(r.validation())).as("chunk %d", chunk).isEqualTo(corpus.substring(cut));
        }
    }

    @Test
    void contiguousSplitNeverCutsACharacterAndTheSeparatorFollowsItsDocument() throws IOException {
        // 10 bytes of "é" (2 bytes each); 10 * 0.5 = byte 5 lies inside the third é, so the cut moves to byte 6.
        Path p = file("e.txt", "ééééé");
        DataPreparer.Result r = prepare(options().withSplit(PrepareOptions.Split.CONTIGUOUS, 0.5), List.of(p), "e");
        assertThat(text(r.train())).isEqualTo("ééé");
        assertThat(text(r.validation())).isEqualTo("éé" + CharLevelTokenizer.EOS);
    }

    @Test
    void outputIsTheSameForAnyChunkSizeAndThreadCount() throws IOException {
        SplittableRandom random = new SplittableRandom(11);
        List<Path> inputs = new ArrayList<>();
        for (int f = 0; f < 5; f++) {
            StringBuilder sb = new StringBuilder();
            int n = random.nextInt(0, 3000);
            for (int i = 0; i < n; i++) sb.append(ALPHABET.charAt(random.nextInt(ALPHABET.length() - 2)));
            if (f == 2) sb.append("😀😀\r\n");
            inputs.add(file("r" + f + ".txt", sb.toString()));
        }
        PrepareOptions base = options().withSplit(PrepareOptions.Split.BY_DOCUMENT, 0.4).withSeed(3);
        DataPreparer.Result reference = prepare(base.withThreads(1).withChunkChars(1 << 20), inputs, "ref");
        for (PrepareOptions o : List.of(base.withThreads(4).withChunkChars(5), base.withThreads(3).withChunkChars(97),
                base.withThreads(1).withChunkChars(2))) {
            DataPreparer.Result r = prepare(o, inputs, "o" + o.threads() + "_" + o.chunkChars());
            assertThat(Files.readAllBytes(r.train())).isEqualTo(Files.readAllBytes(reference.train()));
            assertThat(Files.readAllBytes(r.validation())).isEqualTo(Files.readAllBytes(reference.validation()));
        }
        assertThat(reference.trainTokens()).isPositive();
        assertThat(reference.validationTokens()).isPositive();
    }

    @Test
    void byDocumentSplitIsDeterministicAndNearTheFraction() throws IOException {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 2000; i++) lines.append("doc ").append((char) ('a' + i % 26)).append('\n');
        Path p = file("lines.txt", lines.toString());
        PrepareOptions o = options().withTextDocuments(PrepareOptions.TextDocuments.LINE)
                .withSplit(PrepareOptions.Split.BY_DOCUMENT, 0.25).withSeed(9);
        DataPreparer.Result r1 = prepare(o, List.of(p), "l1");
        DataPreparer.Result r2 = prepare(o.withChunkChars(50), List.of(p), "l2");
        assertThat(Files.readAllBytes(r1.validation())).isEqualTo(Files.readAllBytes(r2.validation()));
        assertThat(r1.documents()).isEqualTo(2000);
        long validationDocs = text(r1.validation()).split(java.util.regex.Pattern.quote(CharLevelTokenizer.EOS), -1).length - 1;
        assertThat(validationDocs).isBetween(400L, 600L);
        DataPreparer.Result other = prepare(o.withSeed(10), List.of(p), "l3");
        assertThat(Files.readAllBytes(other.validation())).isNotEqualTo(Files.readAllBytes(r1.validation()));
    }

    @Test
    void jsonlReadsTheConfiguredFieldOneDocumentALine() throws IOException {
        Path p = file("docs.jsonl", "{\"body\":\"first doc\",\"id\":1}\r\n\n  \n{\"body\":\"line\\nbreak \\\"q\\\"\"}\n"
                + "{\"id\":3,\"body\":\"last\"}");
        DataPreparer.Result r = prepare(options().withTextField("body").withSplit(PrepareOptions.Split.CONTIGUOUS, 0),
                List.of(p), "j");
        String eos = CharLevelTokenizer.EOS;
        assertThat(text(r.train())).isEqualTo("first doc" + eos + "line\nbreak \"q\"" + eos + "last" + eos);
        assertThat(r.documents()).isEqualTo(3);
    }

    @Test
    void malformedInputIsNamedByFileAndLine() throws IOException {
        PrepareOptions o = options();
        Path notObject = file("a.jsonl", "{\"text\":\"ok\"}\n[1]\n");
        assertThatThrownBy(() -> prepare(o, List.of(notObject), "x")).isInstanceOf(CorpusFormatException.class)
                .hasMessage(notObject + ":2: not a JSON object");
        Path noField = file("b.jsonl", "{\"txt\":\"ok\"}\n");
        assertThatThrownBy(() -> prepare(o, List.of(noField), "x")).isInstanceOf(CorpusFormatException.class)
                .hasMessage(noField + ":1: no string field \"text\"");
        Path number = file("c.jsonl", "{\"text\":5}\n");
        assertThatThrownBy(() -> prepare(o, List.of(number), "x")).isInstanceOf(CorpusFormatException.class)
                .hasMessage(number + ":1: no string field \"text\" (found number)");
        Path broken = file("d.jsonl", "{\"text\":\"a\"} trailing\n");
        assertThatThrownBy(() -> prepare(o, List.of(broken), "x")).isInstanceOf(CorpusFormatException.class)
                .hasMessageStartingWith(broken + ":1: not valid JSON (");
        Path binary = dir.resolve("bin.txt");
        Files.write(binary, new byte[] {'a', 'b', (byte) 0xFF, 'c'});
        assertThatThrownBy(() -> prepare(o, List.of(binary), "x")).isInstanceOf(CorpusFormatException.class)
                .hasMessageStartingWith(binary + ": not valid UTF-8");
        assertThat(dir.resolve("x").resolve(DataPreparer.TRAIN_FILE)).as("a failed run leaves no shard").doesNotExist();
        Path unknown = file("u.txt", "abc#");
        assertThatThrownBy(() -> prepare(o, List.of(unknown), "x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not in vocabulary");
    }

    @Test
    void progressRisesToTheTotalSize() throws IOException {
        Path p = file("p.txt", "abcdefghij\n".repeat(100));
        List<long[]> calls = new ArrayList<>();
        new DataPreparer(TOKENIZER, options().withChunkChars(64))
                .prepare(List.of(p), dir.resolve("p"), (done, total) -> calls.add(new long[] {done, total}));
        assertThat(calls.size()).isGreaterThan(10);
        for (int i = 1; i < calls.size(); i++) assertThat(calls.get(i)[0]).isGreaterThanOrEqualTo(calls.get(i - 1)[0]);
        assertThat(calls.getLast()).containsExactly(1100, 1100);
    }

    @Test
    void aTokenizerWithoutEndOfSequenceJoinsDocumentsDirectly() throws IOException {
        CharLevelTokenizer plain = CharLevelTokenizer.of("abc", false);
        Path a = file("x.txt", "ab");
        Path b = file("y.txt", "ca");
        DataPreparer.Result r = new DataPreparer(plain, options().withSplit(PrepareOptions.Split.CONTIGUOUS, 0))
                .prepare(List.of(a, b), dir.resolve("plain"), DataPreparer.Progress.NONE);
        try (TokenShard s = TokenShard.open(r.train())) {
            int[] tokens = new int[4];
            s.read(0, tokens, 0, 4);
            assertThat(tokens).containsExactly(0, 1, 2, 0);
            assertThat(s.tokenCount()).isEqualTo(4);
        }
    }
}

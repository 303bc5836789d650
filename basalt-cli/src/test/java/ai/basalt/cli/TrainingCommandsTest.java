package ai.basalt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.basalt.tokenizer.Tokenizer;
import ai.basalt.train.Trainer;
import ai.basalt.train.data.TokenShard;
import ai.basalt.train.data.TokenizerFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code basalt tokenizer train}, {@code basalt data prepare} and {@code basalt train}, in-process. */
class TrainingCommandsTest {
    /** 40 lines, 30 distinct characters. */
    static final String CORPUS;

    static {
        StringBuilder s = new StringBuilder();
        String[] lines = {"the quick brown fox jumps over the lazy dog.", "a stitch in time saves nine.",
            "to be or not to be, that is the question.", "all that glitters is not gold."};
        for (int i = 0; i < 40; i++) s.append(lines[i % lines.length]).append('\n');
        CORPUS = s.toString();
    }

    @TempDir
    static Path dir;
    static Path corpus;
    static Path chars;
    static Path data;

    @BeforeAll
    static void corpusTokenizerAndShards() throws Exception {
        corpus = dir.resolve("corpus.txt");
        Files.writeString(corpus, CORPUS, StandardCharsets.UTF_8);
        chars = dir.resolve("chars.json");
        CliRunner t = CliRunner.run("tokenizer", "train", "--type", "char", "--out", chars.toString(), corpus.toString());
        assertThat(t.exitCode()).as(t.err()).isZero();
        data = dir.resolve("data");
        CliRunner p = CliRunner.run("data", "prepare", "--tokenizer", chars.toString(), "--val-fraction", "0.2",
                "--out", data.toString(), corpus.toString());
        assertThat(p.exitCode()).as(p.err()).isZero();
    }

    @ParameterizedTest
    @CsvSource({"train,--kv-heads", "train,--resume", "train,--grad-clip", "data prepare,--val-fraction",
        "tokenizer train,--vocab-size"})
    void helpDocumentsTheFlags(String command, String flag) {
        String[] args = (command + " --help").split(" ");
        CliRunner r = CliRunner.run(args);
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("Usage: basalt " + command).contains(flag);
    }

    @Test
    void charTokenizerAndShardsAreWritten() throws Exception {
        Tokenizer tokenizer = TokenizerFiles.load(chars);
        assertThat(tokenizer.vocabulary().size()).isEqualTo(30);
        try (TokenShard train = TokenShard.open(data.resolve("train.tokens"));
                TokenShard val = TokenShard.open(data.resolve("val.tokens"))) {
            train.requireTokenizer(tokenizer);
            assertThat(train.tokenCount() + val.tokenCount()).isEqualTo(CORPUS.length());
            assertThat((double) val.tokenCount() / CORPUS.length()).isBetween(0.15, 0.25);
        }
    }

    @Test
    void bpeTokenizerTrainsAndTokenizesData() {
        Path bpe = dir.resolve("bpe.json");
        CliRunner r = CliRunner.run("tokenizer", "train", "--type", "bpe", "--vocab-size", "300", "--special",
                "<|endoftext|>", "--threads", "2", "--out", bpe.toString(), corpus.toString(), corpus.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("wrote " + bpe + ": byte-level BPE tokenizer of 300 tokens (43 merges, 1 special)\n");
        Tokenizer tokenizer = TokenizerFiles.load(bpe);
        assertThat(tokenizer.vocabulary().size()).isEqualTo(300);
        assertThat(tokenizer.decode(tokenizer.encode("the quick brown fox"))).isEqualTo("the quick brown fox");
        CliRunner p = CliRunner.run("data", "prepare", "--tokenizer", bpe.toString(), "--documents", "line",
                "--split", "document", "--out", dir.resolve("bpe-data").toString(), corpus.toString());
        assertThat(p.exitCode()).as(p.err()).isZero();
        assertThat(p.out()).contains("train.tokens: ").contains("40 documents").contains("vocabulary of 300");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "tokenizer train --type wordpiece --out T.json CORPUS | --type wordpiece: expected bpe or char",
        "tokenizer train --type bpe --vocab-size 100 --out T.json CORPUS | vocabSize 100 is too small",
        "tokenizer train --type char --vocab-size 100 --out T.json CORPUS | apply to --type bpe only",
        "tokenizer train --type char --out T.txt CORPUS | name it *.json",
        "tokenizer train --type char --out T.json MISSING | MISSING: no such corpus file",
        "data prepare --tokenizer TOK --out D MISSING | MISSING: no such input file",
        "data prepare --tokenizer TOK --format xml --out D CORPUS | --format xml: expected auto, text or jsonl",
        "data prepare --tokenizer TOK --val-fraction 1.5 --out D CORPUS | validation fraction 1.5 is not in [0, 1)",
        "data prepare --tokenizer TOK --split random --out D CORPUS | --split random: expected contiguous or document",
        "data prepare --out D CORPUS | Missing required option: '--tokenizer=FILE'",
        "train --tokenizer TOK | no data given: pass --data DIR",
        "train --data D --tokenizer TOK --layers four | Invalid value for option '--layers'",
        "train --data D --tokenizer TOK --dim 10 --heads 3 | dim 10 must be a multiple of heads 3",
        "train --config MISSING | MISSING: no such config file"})
    void badInputIsAUsageErrorOnOneLine(String command, String message) {
        String[] args = command.replace("CORPUS", corpus.toString()).replace("TOK", chars.toString())
                .replace("MISSING", dir.resolve("missing.txt").toString()).replace("T.json", dir.resolve("t.json").toString())
                .replace("T.txt", dir.resolve("t.txt").toString()).replace(" D ", " " + dir.resolve("d") + " ")
                .split(" ");
        CliRunner r = CliRunner.run(args);
        assertThat(r.exitCode()).as(r.err()).isEqualTo(Main.EXIT_USAGE);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err()).startsWith("basalt: ").contains(message.replace("MISSING",
                dir.resolve("missing.txt").toString()));
    }

    @Test
    void unreadableTokenizerFailsNamingTheFile() throws Exception {
        Path bogus = dir.resolve("bogus.json");
        Files.writeString(bogus, "{\"model\": {\"type\": \"Unigram\"}}");
        CliRunner r = CliRunner.run("data", "prepare", "--tokenizer", bogus.toString(), "--out",
                dir.resolve("d2").toString(), corpus.toString());
        assertThat(r.exitCode()).isEqualTo(Main.EXIT_FAILURE);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err()).startsWith("basalt: " + bogus);
    }

    @Test
    void trainsResumesAndRefusesMismatches() throws Exception {
        Path out = dir.resolve("run");
        Path config = dir.resolve("train.json");
        Files.writeString(config, """
                {"data": "data", "tokenizer": "chars.json", "layers": 1, "heads": 2, "dim": 16, "context": 16,
                 "batch": 4, "steps": 100, "lr": 0.01, "eval_interval": 3, "eval_batches": 2, "log_interval": 2,
                 "threads": 2}
                """);
        // flags beat the file: 6 steps, not 100
        CliRunner r = CliRunner.run("train", "--config", config.toString(), "--steps", "6", "--out", out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("trained 6 steps: train loss ").contains("model: " + out.resolve("model.gguf"));
        assertThat(r.err()).contains("step 2/6 | loss ").contains("step 3/6 | loss ").contains(" val ")
                .contains("step 6: wrote " + out.resolve(Trainer.CHECKPOINT_FILE));
        for (String f : new String[] {"checkpoint.bin", "metrics.jsonl", "loss.png", "model.gguf", "hf/config.json",
            "MODEL_CARD.md", "training_config.json"}) {
            assertThat(out.resolve(f)).isRegularFile();
        }
        assertThat(Files.readString(out.resolve("MODEL_CARD.md"))).contains("--steps 6 ").contains("Greedy:");

        CliRunner more = CliRunner.run("train", "--resume", "--out", out.toString(), "--steps", "8");
        assertThat(more.exitCode()).as(more.err()).isZero();
        assertThat(more.err()).contains("warning: resuming with changed settings: steps 6 -> 8")
                .contains("resuming from " + out.resolve(Trainer.CHECKPOINT_FILE) + " at step 6");
        assertThat(more.out()).startsWith("trained 8 steps: ");

        CliRunner again = CliRunner.run("train", "--config", config.toString(), "--out", out.toString());
        assertThat(again.exitCode()).isEqualTo(Main.EXIT_FAILURE);
        assertThat(again.err()).isEqualTo("basalt: " + out.resolve(Trainer.CHECKPOINT_FILE) + ": holds the checkpoint"
                + " of an earlier run; resume it with --resume or choose another --out\n");

        CliRunner wider = CliRunner.run("train", "--resume", "--out", out.toString(), "--dim", "32");
        assertThat(wider.exitCode()).isEqualTo(Main.EXIT_FAILURE);
        assertThat(wider.errLines()).hasSize(1);
        assertThat(wider.err()).contains(": the checkpoint's model differs from this run's: dim 16 in the checkpoint, "
                + "32 now");

        CliRunner none = CliRunner.run("train", "--resume", "--out", dir.resolve("nowhere").toString());
        assertThat(none.exitCode()).isEqualTo(Main.EXIT_FAILURE);
        assertThat(none.err()).contains("no checkpoint to resume from");

        byte[] bytes = Files.readAllBytes(out.resolve(Trainer.CHECKPOINT_FILE));
        bytes[bytes.length - 1] ^= 1;
        Files.write(out.resolve(Trainer.CHECKPOINT_FILE), bytes);
        CliRunner corrupt = CliRunner.run("train", "--resume", "--out", out.toString());
        assertThat(corrupt.exitCode()).isEqualTo(Main.EXIT_FAILURE);
        assertThat(corrupt.errLines()).hasSize(1);
        assertThat(corrupt.err()).startsWith("basalt: " + out.resolve(Trainer.CHECKPOINT_FILE) + ": checksum mismatch");
    }
}

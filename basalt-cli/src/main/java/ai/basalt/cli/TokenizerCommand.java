package ai.basalt.cli;

import ai.basalt.tokenizer.ByteLevelBpeTokenizer;
import ai.basalt.tokenizer.CharTokenizer;
import ai.basalt.tokenizer.HuggingFaceTokenizerJson;
import ai.basalt.tokenizer.training.BpeTrainer;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code basalt tokenizer}: tokenizers. Its one subcommand so far is {@code train}. */
@Command(name = "tokenizer", mixinStandardHelpOptions = true, subcommands = TokenizerCommand.Train.class,
        description = "Train tokenizers.")
final class TokenizerCommand implements Runnable {

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(main.out);
    }

    /** {@code basalt tokenizer train}: a byte-level BPE or character tokenizer learned from a corpus. */
    @Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Learn a tokenizer from a corpus.",
                "bpe: byte-level BPE (GPT-2 pre-tokenization), written as a Hugging Face tokenizer.json.",
                "char: one token per distinct character (nanoGPT's shakespeare_char), written as Basalt's char JSON."},
            footer = {"", "Example:", "  basalt tokenizer train --type bpe --vocab-size 4096 --out tokenizer.json books/*.txt"})
    static final class Train implements Callable<Integer> {
        /** The special token of a BPE tokenizer when none is given, GPT-2's document separator. */
        static final String DEFAULT_SPECIAL = "<|endoftext|>";

        @ParentCommand
        TokenizerCommand parent;

        @Option(names = "--type", required = true, paramLabel = "bpe|char", description = "The kind of tokenizer.")
        String type;

        @Option(names = "--vocab-size", paramLabel = "N",
                description = "bpe: tokens in all, special tokens and 256 bytes included (default: 1024).")
        Integer vocabSize;

        @Option(names = "--special", paramLabel = "TOKEN",
                description = "bpe: a special token, repeatable; the first separates documents (default: "
                        + DEFAULT_SPECIAL + ").")
        List<String> specials;

        @Option(names = "--threads", paramLabel = "N",
                description = "bpe: counting threads; the result does not depend on them (default: all processors).")
        Integer threads;

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "The tokenizer file to write (.json).")
        Path out;

        @Parameters(arity = "1..*", paramLabel = "CORPUS", description = "UTF-8 text files.")
        List<Path> corpus;

        @Override
        public Integer call() {
            Main main = parent.main;
            for (Path c : corpus) {
                if (!Files.isRegularFile(c)) throw new Main.UsageException(c + ": no such corpus file");
            }
            if (!out.getFileName().toString().endsWith(".json")) {
                throw new Main.UsageException("--out " + out + ": a tokenizer is written as JSON; name it *.json");
            }
            String summary = switch (type) {
                case "bpe" -> bpe(main);
                case "char" -> characters(main);
                default -> throw new Main.UsageException("--type " + type + ": expected bpe or char");
            };
            main.out.println("wrote " + out + ": " + summary);
            main.out.flush();
            return 0;
        }

        private String bpe(Main main) {
            List<String> special = specials == null ? List.of(DEFAULT_SPECIAL) : specials;
            BpeTrainer.Config config = Main.UsageException.parsing(() -> {
                BpeTrainer.Config c = new BpeTrainer.Config(vocabSize == null ? 1024 : vocabSize, special);
                return threads == null ? c : c.withThreads(threads);
            });
            AtomicLong read = new AtomicLong();
            boolean show = ProgressDisplay.interactive();
            // one bar per phase: bytes counted, then merges made
            ProgressDisplay[] bar = {ProgressDisplay.bytes(main.err, show, "count", totalBytes())};
            BpeTrainer.Phase[] shown = {BpeTrainer.Phase.COUNTING};
            BpeTrainer.Progress progress = (phase, done, all) -> {
                if (phase != shown[0]) {
                    bar[0].close();
                    bar[0] = ProgressDisplay.start(main.err, show, "merge", all, " merges", 1, 0, Duration.ZERO);
                    shown[0] = phase;
                }
                bar[0].stepTo(phase == BpeTrainer.Phase.COUNTING ? read.get() : done);
            };
            ByteLevelBpeTokenizer tokenizer;
            try (Reader text = corpusReader(read)) {
                tokenizer = new BpeTrainer(config, progress).train(text);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the corpus (" + e + ")", e);
            } finally {
                bar[0].close();
            }
            HuggingFaceTokenizerJson.write(tokenizer, out);
            return String.format(Locale.ROOT, "byte-level BPE tokenizer of %d tokens (%d merges, %d special)",
                    tokenizer.vocabulary().size(), tokenizer.merges().size(), special.size());
        }

        private String characters(Main main) {
            if (vocabSize != null || specials != null) {
                throw new Main.UsageException("--vocab-size and --special apply to --type bpe only: a character "
                        + "tokenizer's vocabulary is the corpus's characters");
            }
            TreeSet<Integer> codePoints = new TreeSet<>();
            long total = totalBytes();
            long done = 0;
            try (ProgressDisplay bar = ProgressDisplay.bytes(main.err, ProgressDisplay.interactive(), "read", total)) {
                for (Path c : corpus) {
                    for (int cp : CharTokenizer.fromCorpus(c).codePoints()) codePoints.add(cp);
                    done += c.toFile().length();
                    bar.stepTo(done);
                }
            }
            CharTokenizer tokenizer = CharTokenizer.of(codePoints.stream().mapToInt(Integer::intValue).toArray());
            tokenizer.save(out);
            return "character tokenizer of " + tokenizer.vocabulary().size() + " tokens";
        }

        private long totalBytes() {
            long total = 0;
            for (Path c : corpus) total += c.toFile().length();
            return total;
        }

        /** The corpus files as one UTF-8 text, a line end between files, counting the bytes read. */
        private Reader corpusReader(AtomicLong read) throws IOException {
            List<InputStream> parts = new ArrayList<>();
            for (int i = 0; i < corpus.size(); i++) {
                if (i > 0) parts.add(new ByteArrayInputStream(new byte[] {'\n'}));
                parts.add(Files.newInputStream(corpus.get(i)));
            }
            InputStream all = new FilterInputStream(new SequenceInputStream(Collections.enumeration(parts))) {
                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    int n = super.read(b, off, len);
                    if (n > 0) read.addAndGet(n);
                    return n;
                }
            };
            return new BufferedReader(new InputStreamReader(all, StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE)));
        }
    }
}

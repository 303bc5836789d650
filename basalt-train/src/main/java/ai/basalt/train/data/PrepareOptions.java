package ai.basalt.train.data;

import java.util.Objects;

/**
 * How {@link DataPreparer} reads, splits and tokenizes a corpus. Start from {@link #defaults()} and change fields
 * with the {@code with} methods; the compact constructor checks every field.
 *
 * @param format             how input files are read; {@code AUTO} (default) reads {@code .jsonl}/{@code .ndjson}
 *                           files as JSONL and anything else as plain text
 * @param textField          the JSONL field holding a document's text (default {@code "text"})
 * @param textDocuments      what a document is in plain text: a whole file (default) or each non-empty line
 * @param split              {@code CONTIGUOUS} (default): the first {@code 1 - validationFraction} of the input's bytes
 *                           train, the rest validate, as nanoGPT's shakespeare_char splits 90 % / 10 %; or
 *                           {@code BY_DOCUMENT}: each document validates with probability
 *                           {@code validationFraction}, decided by a hash of its number and the seed
 * @param validationFraction share of the input for validation, in {@code [0, 1)} (default 0.1)
 * @param seed               seed of the {@code BY_DOCUMENT} split (default 0)
 * @param threads            tokenizing threads (default: the available processors); output does not depend on it
 * @param chunkChars         characters per unit of work (default 1 MiB); plain text is cut at the last line end
 *                           before it, so a document is tokenized in pieces of about this size
 * @param separateDocuments  whether to append the tokenizer's end-of-sequence token after each document where it
 *                           has one (default true), as nanoGPT's openwebtext preparation appends {@code <|endoftext|>}
 */
public record PrepareOptions(
        Format format,
        String textField,
        TextDocuments textDocuments,
        Split split,
        double validationFraction,
        long seed,
        int threads,
        int chunkChars,
        boolean separateDocuments) {

    /** How input files are read. */
    public enum Format { AUTO, TEXT, JSONL }

    /** What one document is in a plain-text file. */
    public enum TextDocuments { FILE, LINE }

    /** How documents are divided between the training and validation shards. */
    public enum Split { CONTIGUOUS, BY_DOCUMENT }

    public PrepareOptions {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(textField, "textField");
        Objects.requireNonNull(textDocuments, "textDocuments");
        Objects.requireNonNull(split, "split");
        if (!(validationFraction >= 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("validation fraction " + validationFraction + " is not in [0, 1)");
        }
        if (threads <= 0) throw new IllegalArgumentException("threads " + threads + " is not positive");
        if (chunkChars < 2) throw new IllegalArgumentException("chunk of " + chunkChars + " characters, 2 or more expected");
    }

    /** The defaults listed on the fields; {@code threads} is the number of available processors. */
    public static PrepareOptions defaults() {
        return new PrepareOptions(Format.AUTO, "text", TextDocuments.FILE, Split.CONTIGUOUS, 0.1, 0,
                Runtime.getRuntime().availableProcessors(), 1 << 20, true);
    }

    public PrepareOptions withFormat(Format value) {
        return new PrepareOptions(value, textField, textDocuments, split, validationFraction, seed, threads, chunkChars,
                separateDocuments);
    }

    public PrepareOptions withTextField(String value) {
        return new PrepareOptions(format, value, textDocuments, split, validationFraction, seed, threads, chunkChars,
                separateDocuments);
    }

    public PrepareOptions withTextDocuments(TextDocuments value) {
        return new PrepareOptions(format, textField, value, split, validationFraction, seed, threads, chunkChars,
                separateDocuments);
    }

    /** The split mode and the validation fraction together. */
    public PrepareOptions withSplit(Split value, double fraction) {
        return new PrepareOptions(format, textField, textDocuments, value, fraction, seed, threads, chunkChars,
                separateDocuments);
    }

    public PrepareOptions withSeed(long value) {
        return new PrepareOptions(format, textField, textDocuments, split, validationFraction, value, threads, chunkChars,
                separateDocuments);
    }

    public PrepareOptions withThreads(int value) {
        return new PrepareOptions(format, textField, textDocuments, split, validationFraction, seed, value, chunkChars,
                separateDocuments);
    }

    public PrepareOptions withChunkChars(int value) {
        return new PrepareOptions(format, textField, textDocuments, split, validationFraction, seed, threads, value,
                separateDocuments);
    }

    public PrepareOptions withSeparateDocuments(boolean value) {
        return new PrepareOptions(format, textField, textDocuments, split, validationFraction, seed, threads, chunkChars,
                value);
    }
}

package ai.basalt.tokenizer;

import ai.basalt.format.gguf.GgufMetadata;

/**
 * Text to token ids and back. Implementations are immutable and safe to share between threads; the
 * {@link TokenDecoder}s they hand out are not.
 *
 * <p>Text is a Java string; an unpaired surrogate in it is encoded as U+FFFD. Decoding turns the tokens'
 * bytes into text as UTF-8, with U+FFFD for bytes that do not form a character.
 */
public interface Tokenizer {

    /** The vocabulary this tokenizer encodes into. */
    Vocabulary vocabulary();

    /** Token ids for {@code text}, without BOS/EOS and with special-token texts treated as plain text. */
    default int[] encode(String text) {
        return encode(text, false, false);
    }

    /**
     * Token ids for {@code text}.
     *
     * @param addSpecial   add BOS and/or EOS where the vocabulary asks for them
     * @param parseSpecial match the texts of control and unknown tokens (such as {@code <s>}) in
     *                     {@code text} and emit their ids; user-defined tokens are matched either way
     */
    int[] encode(String text, boolean addSpecial, boolean parseSpecial);

    /** The text of {@code tokens}: control and unknown tokens render as nothing. */
    default String decode(int[] tokens) {
        return decode(tokens, false, false);
    }

    /**
     * The text of {@code tokens}, following llama.cpp's {@code llama_detokenize}.
     *
     * @param removeSpecial  drop a leading BOS and a trailing EOS where the vocabulary adds them
     * @param unparseSpecial render control and unknown tokens as their text instead of nothing
     */
    String decode(int[] tokens, boolean removeSpecial, boolean unparseSpecial);

    /**
     * A decoder for a stream that starts a text: the pieces it returns concatenate to
     * {@code decode(tokens)} of all tokens fed, once flushed.
     */
    TokenDecoder newStreamingDecoder();

    /**
     * A decoder for tokens that continue earlier text, such as tokens generated after a prompt: like
     * {@link #newStreamingDecoder()}, except that the first token keeps its leading space.
     */
    TokenDecoder newContinuationDecoder();

    /**
     * Puts into {@code metadata} the {@code tokenizer.ggml.*} entries from which {@link GgufTokenizers#load}
     * rebuilds this tokenizer (and llama.cpp reads its vocabulary); returns {@code metadata}.
     */
    GgufMetadata.Builder putGgufMetadata(GgufMetadata.Builder metadata);
}

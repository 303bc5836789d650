package ai.basalt.tokenizer;
/** Text to token ids and back. */
public interface Tokenizer {
    /** Token ids for {@code text}, without BOS/EOS. */
    int[] encode(String text);
    /** The text of {@code tokens}. */
    String decode(int[] tokens);
}

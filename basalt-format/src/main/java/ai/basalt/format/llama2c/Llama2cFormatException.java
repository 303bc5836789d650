package ai.basalt.format.llama2c;

/**
 * A llama2.c checkpoint or tokenizer file is malformed, or the two do not fit together. The message is one
 * line naming the file, what was found and what was expected.
 */
public class Llama2cFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public Llama2cFormatException(String message) {
        super(message);
    }
}

package ai.basalt.tokenizer;

import java.io.Serial;

/**
 * A tokenizer file is malformed. The message is one line saying what was found, what was expected and in
 * which file.
 */
public final class TokenizerFormatException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    public TokenizerFormatException(String message) {
        super(message);
    }
}

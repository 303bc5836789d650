package ai.basalt.train.data;

/**
 * A token shard is malformed, or was made for another tokenizer than the caller's.
 *
 * <p>The message is one line naming the file, what was found and what was expected, for example
 * {@code "train.tokens: not a Basalt token shard (magic 'BSLTTOKS' expected, found '7f454c4602010100')"}.
 */
public class TokenShardFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TokenShardFormatException(String message) {
        super(message == null ? null : message.replace("\r", "\\r").replace("\n", "\\n"));
    }
}

package ai.basalt.format.gguf;

/**
 * The kind of a vocabulary entry, with the ids GGUF stores in {@code tokenizer.ggml.token_type} (the same
 * numbers as SentencePiece's {@code ModelProto.SentencePiece.Type}, plus {@link #UNDEFINED} for 0). Ids are
 * append-only.
 */
public enum TokenType {
    /** No type recorded; decodes to nothing. */
    UNDEFINED(0),
    /** An ordinary piece: {@code ▁} in its text stands for a space. */
    NORMAL(1),
    /** The unknown token, {@code <unk>}. */
    UNKNOWN(2),
    /** A control token such as {@code <s>}: never produced from plain text, rendered only on request. */
    CONTROL(3),
    /** A user-defined token: always matched whole in the input before BPE, rendered verbatim. */
    USER_DEFINED(4),
    /** A reserved slot that is never produced and decodes to nothing. */
    UNUSED(5),
    /** A byte-fallback token whose text is {@code <0xHH>}. */
    BYTE(6);

    private static final TokenType[] BY_ID = values();

    private final int id;

    TokenType(int id) {
        this.id = id;
    }

    /** The GGUF / SentencePiece id. */
    public int id() {
        return id;
    }

    /** The type with GGUF / SentencePiece id {@code id}; throws {@link IllegalArgumentException} if unknown. */
    public static TokenType fromId(int id) {
        if (id < 0 || id >= BY_ID.length) {
            throw new IllegalArgumentException(
                    "unknown token type id: actual=" + id + " vs expected=0.." + (BY_ID.length - 1));
        }
        return BY_ID[id];
    }

    /**
     * Whether the type takes part in special-token matching (llama.cpp's special-token cache): control,
     * user-defined and unknown tokens. User-defined tokens are always matched; the other two only when
     * special tokens are parsed.
     */
    public boolean isSpecial() {
        return this == CONTROL || this == USER_DEFINED || this == UNKNOWN;
    }
}

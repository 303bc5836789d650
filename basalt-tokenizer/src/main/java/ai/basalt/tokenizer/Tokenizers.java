package ai.basalt.tokenizer;

import java.nio.file.Path;

/** Ways to build a {@link Tokenizer}. */
public final class Tokenizers {
    private Tokenizers() {}

    /** A SentencePiece BPE tokenizer (Llama, Llama 2, Mistral 7B, ...) over {@code vocabulary}. */
    public static Tokenizer sentencePiece(Vocabulary vocabulary) {
        return new SentencePieceBpeTokenizer(vocabulary);
    }

    /** A SentencePiece BPE tokenizer over the vocabulary of a SentencePiece {@code .model} file. */
    public static Tokenizer sentencePiece(Path modelFile) {
        return sentencePiece(SentencePieceModelReader.read(modelFile));
    }
}

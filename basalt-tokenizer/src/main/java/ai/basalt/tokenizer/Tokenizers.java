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

    /**
     * GPT-2's byte-level BPE from OpenAI's {@code encoder.json} + {@code vocab.bpe} or Hugging Face's
     * {@code vocab.json} + {@code merges.txt}, {@code <|endoftext|>} special where present.
     */
    public static ByteLevelBpeTokenizer byteLevelBpe(Path vocabJson, Path merges) {
        return ByteLevelBpeFiles.read(vocabJson, merges);
    }

    /** A byte-level BPE tokenizer from a Hugging Face {@code tokenizer.json}. */
    public static ByteLevelBpeTokenizer huggingFace(Path tokenizerJson) {
        return HuggingFaceTokenizerJson.read(tokenizerJson);
    }

    /** A character tokenizer from its own file ({@link CharTokenizer#save}). */
    public static CharTokenizer characters(Path file) {
        return CharTokenizer.load(file);
    }
}

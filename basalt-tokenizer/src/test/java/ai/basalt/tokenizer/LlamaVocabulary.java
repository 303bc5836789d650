package ai.basalt.tokenizer;

import ai.basalt.testkit.ConformanceData;

/** The Llama 2 SentencePiece vocabulary from the conformance data, read once per test run. */
final class LlamaVocabulary {
    static final String MODEL = "tokenizers/llama2-sentencepiece.model";

    private static Tokenizer tokenizer;

    private LlamaVocabulary() {}

    /** The Llama 2 tokenizer; skips (or fails, when data is required) the calling test if the file is absent. */
    static synchronized Tokenizer tokenizer() {
        if (tokenizer == null) {
            tokenizer = Tokenizers.sentencePiece(ConformanceData.require(MODEL));
        }
        return tokenizer;
    }
}

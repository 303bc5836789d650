/**
 * Tokenizers: text to token ids and back.
 *
 * <p>{@link ai.basalt.tokenizer.Tokenizer} is the interface every model uses, and
 * {@link ai.basalt.tokenizer.TokenDecoder} turns generated ids into text as they arrive without ever
 * splitting a character. A tokenizer is built from a {@link ai.basalt.tokenizer.Vocabulary}: token texts,
 * scores and {@link ai.basalt.format.gguf.TokenType}s plus special ids, read from GGUF metadata by the model
 * loader or from the tokenizer's own file ({@link ai.basalt.tokenizer.SentencePieceModelReader}, with
 * {@link ai.basalt.tokenizer.SentencePieceModelWriter} for tests that make their own files).
 * {@link ai.basalt.tokenizer.Tokenizers} is the entry point.
 *
 * <p>{@link ai.basalt.tokenizer.SentencePieceBpeTokenizer} reproduces llama.cpp's SPM tokenizer token for
 * token; the llama.cpp test vectors are its conformance test.
 *
 * <p>Extension points: a new tokenizer family (GPT-2 byte-level BPE, WordPiece, Unigram) is a new
 * {@code Tokenizer} implementation with a factory method in {@code Tokenizers}. Package-private pieces are
 * shared where the families agree: the special-token splitter (llama.cpp's partition runs before every
 * family) and the UTF-8 hold-back buffer behind streaming decoders.
 */
package ai.basalt.tokenizer;

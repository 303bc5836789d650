/**
 * Tokenizers: text to token ids and back.
 *
 * <p>{@link ai.basalt.tokenizer.Tokenizer} is the interface every model uses, and
 * {@link ai.basalt.tokenizer.TokenDecoder} turns generated ids into text as they arrive without ever
 * splitting a character. A tokenizer is built over a {@link ai.basalt.tokenizer.Vocabulary}: token texts,
 * scores and {@link ai.basalt.format.gguf.TokenType}s plus special ids. {@link ai.basalt.tokenizer.Tokenizers} is
 * the entry point; {@link ai.basalt.tokenizer.GgufTokenizers} is the one place that maps GGUF's
 * {@code tokenizer.ggml.*} keys both ways, and every tokenizer writes itself back with
 * {@code putGgufMetadata}.
 *
 * <p>Three families:
 * <ul>
 *   <li>{@link ai.basalt.tokenizer.SentencePieceBpeTokenizer} reproduces llama.cpp's SPM tokenizer token for
 *       token (read from a SentencePiece {@code .model} file by {@link ai.basalt.tokenizer.SentencePieceModelReader},
 *       with {@link ai.basalt.tokenizer.SentencePieceModelWriter} for tests that make their own files);</li>
 *   <li>{@link ai.basalt.tokenizer.ByteLevelBpeTokenizer} is GPT-2's byte-level BPE ({@link ai.basalt.tokenizer.ByteLevel}
 *       map, {@link ai.basalt.tokenizer.PreTokenizer}, {@link ai.basalt.tokenizer.BpeMerge} rules), with the
 *       pre-tokenizers of GPT-2, Llama 3, Qwen 2 and SmolLM (and Llama 3's {@code ignore_merges}, Qwen's NFC
 *       {@link ai.basalt.tokenizer.Normalization}), read and written as {@code vocab.json} + {@code merges.txt}
 *       ({@link ai.basalt.tokenizer.ByteLevelBpeFiles}) or {@code tokenizer.json}
 *       ({@link ai.basalt.tokenizer.HuggingFaceTokenizerJson}, whose reader names the JSON path of any field at
 *       fault) and trained by {@code ai.basalt.tokenizer.training};</li>
 *   <li>{@link ai.basalt.tokenizer.CharTokenizer}: one token per character, as nanoGPT's {@code shakespeare_char}.</li>
 * </ul>
 * llama.cpp's test vectors are the conformance tests of the first two (vocabularies gpt-2, llama-bpe, qwen2, llama-spm,
 * phi-3); Hugging Face {@code tokenizers} is the oracle of the {@code tokenizer.json} reader.
 *
 * <p>Extension points: a new tokenizer family (WordPiece, Unigram) is a new {@code Tokenizer} implementation with a
 * factory method in {@code Tokenizers} and a case in {@code GgufTokenizers}; a new byte-level pre-tokenizer (DeepSeek,
 * GPT-4o) is a {@code PreTokenizer} constant. Package-private pieces are shared where the families agree: the
 * special-token splitter (llama.cpp's partition runs before every family) and the UTF-8 hold-back buffer behind
 * streaming decoders.
 */
package ai.basalt.tokenizer;

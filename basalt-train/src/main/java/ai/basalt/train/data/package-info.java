/**
 * The training data pipeline: a corpus of plain text or JSONL, of any size, tokenized into memory-mapped token
 * shards and served as batches.
 *
 * <p>{@link ai.basalt.train.data.DataPreparer} streams the corpus in chunks, tokenizes them on several threads
 * with deterministic output, separates documents with the tokenizer's end-of-sequence token and splits train from
 * validation ({@link ai.basalt.train.data.PrepareOptions}). {@link ai.basalt.train.data.TokenShardWriter} and
 * {@link ai.basalt.train.data.TokenShard} write and read Basalt's token shard format (magic {@code BSLTTOKS},
 * version, vocabulary size, token width, checksum and the tokenizer's
 * {@link ai.basalt.train.data.TokenizerFingerprint}). {@link ai.basalt.train.data.BatchLoader} samples windows as
 * nanoGPT's {@code get_batch} does, with a random generator whose state is saved and restored for resume.
 * {@link ai.basalt.train.data.TokenizerFiles} opens the tokenizer files the pipeline takes (character or Hugging Face
 * JSON, SentencePiece model, GGUF).
 *
 * <p>Errors: a malformed or mismatched shard raises {@link ai.basalt.train.data.TokenShardFormatException}, an
 * unreadable corpus {@link ai.basalt.train.data.CorpusFormatException}, both with one-line messages naming the
 * file.
 *
 * <p>Extension points: a new input format is a {@link ai.basalt.train.data.PrepareOptions.Format} constant read by
 * the corpus reader; a new way of choosing windows is a {@link ai.basalt.train.data.BatchLoader.Mode}.
 */
package ai.basalt.train.data;

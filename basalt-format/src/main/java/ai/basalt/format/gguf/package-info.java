/**
 * GGUF, the single-file model format of ggml and llama.cpp (ggml {@code docs/gguf.md}).
 *
 * <p>{@link ai.basalt.format.gguf.GgufFile} memory-maps a file, reads its header, metadata and tensor infos in
 * the spec's order and checks every invariant before handing out anything: magic, version (2 or 3; version 1
 * and big-endian files are refused with a message saying so), counts the file can hold, known value and tensor
 * types, a power-of-two alignment, offsets that are aligned and inside the file, sizes that do not overflow.
 * Malformed bytes only ever raise {@link ai.basalt.format.gguf.GgufFormatException}, whose one-line message
 * names the file and the problem; strings are decoded as UTF-8 with malformed sequences replaced by U+FFFD, not
 * rejected. {@link ai.basalt.format.gguf.GgufWriter} writes what the reader reads, laid out as ggml lays it out,
 * so tests make their own small files and exported models run in llama.cpp.
 *
 * <p>{@link ai.basalt.format.gguf.GgufView} is a model in GGUF's terms, whatever stores it: {@code GgufFile} is
 * one, and model code that reads a view runs models kept in other formats under the same names.
 *
 * <p>{@link ai.basalt.format.gguf.GgufMetadata} is the one place where GGUF's untyped key-value map lives;
 * model code reads it through the typed names of {@link ai.basalt.format.gguf.MetadataKey} and
 * {@link ai.basalt.format.gguf.TensorKey} and turns it into its own configuration records.
 *
 * <p>Extension points: a new standard key or tensor name is a constant added to {@code MetadataKey} or
 * {@code TensorKey}; a new GGML type is a constant of {@link ai.basalt.tensor.DType}, which the reader and
 * writer pick up through its id; whether a type can be computed is the model layer's decision, not the
 * reader's.
 */
package ai.basalt.format.gguf;

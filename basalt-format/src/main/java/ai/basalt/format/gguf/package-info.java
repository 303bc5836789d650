/**
 * GGUF, the single-file model format of ggml and llama.cpp (ggml {@code docs/gguf.md}): a reader that
 * memory-maps the file and checks every invariant, and a writer, so tests make their own files and
 * round-trip them. {@link ai.basalt.format.gguf.MetadataKey} and {@link ai.basalt.format.gguf.TensorKey}
 * are the typed names model code uses instead of string literals.
 */
package ai.basalt.format.gguf;

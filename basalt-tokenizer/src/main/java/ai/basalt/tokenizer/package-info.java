/**
 * Tokenizers. {@link ai.basalt.tokenizer.Tokenizer} is the interface every model uses; implementations
 * are built from a vocabulary read from GGUF metadata or from the tokenizer's own file.
 */
package ai.basalt.tokenizer;

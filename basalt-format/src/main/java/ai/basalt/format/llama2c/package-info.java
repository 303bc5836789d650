/**
 * Import of llama2.c legacy checkpoints ({@code run.c}'s 7-int header followed by FP32 weights) and their
 * {@code tokenizer.bin}, converted to GGUF.
 */
package ai.basalt.format.llama2c;

/**
 * Import of llama2.c models: {@link ai.basalt.format.llama2c.Llama2cCheckpoint} reads {@code run.c}'s legacy
 * checkpoint (a 7-int header, then FP32 weights) as GGUF-named tensor views,
 * {@link ai.basalt.format.llama2c.Llama2cTokenizer} reads its {@code tokenizer.bin}, and
 * {@link ai.basalt.format.llama2c.Llama2cConverter} writes both as a GGUF file laid out like llama.cpp's
 * converted {@code stories260K.gguf}. Problems raise {@link ai.basalt.format.llama2c.Llama2cFormatException}
 * with a one-line message naming the file.
 *
 * <p>Extension point: llama2.c's newer versioned exports (magic {@code ak42}, int8 quantized) would be a second
 * reader beside {@code Llama2cCheckpoint} feeding the same converter.
 */
package ai.basalt.format.llama2c;

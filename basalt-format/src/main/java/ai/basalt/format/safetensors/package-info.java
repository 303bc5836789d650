/**
 * safetensors, Hugging Face's tensor file format (huggingface/safetensors {@code README.md}, "Format"): an 8-byte
 * little-endian header length N, N bytes of UTF-8 JSON mapping each tensor name to its dtype, row-major shape and
 * {@code data_offsets [begin, end)} in the byte buffer that follows, and an optional {@code "__metadata__"} map of
 * strings.
 *
 * <p>{@link ai.basalt.format.safetensors.SafetensorsFile} memory-maps a file and checks every invariant before
 * handing out anything: header length within the reference's 100,000,000-byte limit and the file, strict UTF-8,
 * a JSON object without duplicate keys, known dtypes (8-bit and smaller floats are refused by name), byte ranges
 * that match shape times dtype size without overflow and that cover the buffer exactly, with no hole or overlap.
 * Malformed bytes only ever raise {@link ai.basalt.format.safetensors.SafetensorsFormatException}, whose one-line
 * message names the file and the problem. {@link ai.basalt.format.safetensors.SafetensorsWriter} lays files out
 * as the reference implementation does, so tests make their own files and exported models load in Hugging Face
 * tools. {@link ai.basalt.format.safetensors.ShardedSafetensors} and
 * {@link ai.basalt.format.safetensors.ShardedSafetensorsWriter} read and write checkpoints split into shards with a
 * {@code model.safetensors.index.json}.
 *
 * <p>Dimension order: safetensors lists dimensions outermost first, GGML innermost first, so safetensors
 * {@code shape [rows, cols]} is {@link ai.basalt.tensor.Tensor} {@code dims {cols, rows}}; the bytes are the same.
 *
 * <p>Extension points: a new dtype is a constant of {@link ai.basalt.format.safetensors.SafetensorsDType} (kept
 * in the reference's order, which the writer's layout follows); mapping Hugging Face tensor names to a model's is
 * the model layer's job, not this package's.
 */
package ai.basalt.format.safetensors;

/**
 * Hugging Face model folders: read as models and converted to and from GGUF.
 *
 * <p>{@link ai.basalt.model.hf.HuggingFaceFolder} presents a folder ({@code config.json}, safetensors weights,
 * tokenizer files) as the GGUF file llama.cpp's {@code convert_hf_to_gguf.py} would make of it, through
 * {@link ai.basalt.format.gguf.GgufView}, so that every {@link ai.basalt.model.Architecture} runs it unchanged and
 * {@link ai.basalt.model.Models#load} opens folders and files alike. {@link ai.basalt.model.hf.HuggingFaceConverter}
 * writes either form from the other. The mapping lives in three places: {@code HuggingFaceConfig} (config.json keys
 * to GGUF hyper-parameters), {@code TensorMap} (tensor names, shapes and layouts) and {@code HuggingFaceTokenizer}
 * (tokenizer files); each serves both directions.
 *
 * <p>Extension point: another {@code transformers} class is a constant of {@code ModelFamily} with its rows in
 * {@code TensorMap} and its keys in {@code HuggingFaceConfig}, for an architecture Basalt already runs.
 */
package ai.basalt.model.hf;

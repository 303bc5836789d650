/**
 * The Llama family (llama.cpp {@code src/models/llama.cpp}): {@link ai.basalt.model.llama.LlamaConfig}
 * reads the hyper-parameters from GGUF metadata, {@code LlamaWeights} checks and holds the tensors, and
 * {@link ai.basalt.model.llama.LlamaModel} runs the forward pass against a KV cache. The one decoder also runs
 * {@code mistral}, {@code qwen2}, {@code qwen3} and {@code phi3} files: their differences (RoPE pairing, Q/K/V
 * biases, per-head Q/K norms, stacked projections, RoPE scaling) are fields of the config and optional tensors,
 * not subclasses; a new member of the family is a new row in {@code LlamaConfig}'s family table.
 * {@link ai.basalt.model.llama.LlamaTrainable} is the same model on a basalt-nn graph, for training, and writes
 * itself as GGUF and as a Hugging Face {@code LlamaForCausalLM} folder, whose rotate-half RoPE layout
 * {@link ai.basalt.model.llama.LlamaRopeLayout} converts to and from.
 */
package ai.basalt.model.llama;

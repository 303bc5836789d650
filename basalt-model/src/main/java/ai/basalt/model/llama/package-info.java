/**
 * The Llama family (llama.cpp {@code src/models/llama.cpp}): {@link ai.basalt.model.llama.LlamaConfig}
 * reads the hyper-parameters from GGUF metadata, {@code LlamaWeights} checks and holds the tensors, and
 * {@link ai.basalt.model.llama.LlamaModel} runs the forward pass against a KV cache.
 */
package ai.basalt.model.llama;

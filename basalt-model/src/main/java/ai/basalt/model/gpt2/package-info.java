/**
 * GPT-2 (Radford et al. 2019; llama.cpp {@code src/models/gpt2.cpp}): learned position embeddings,
 * pre-LayerNorm blocks with a fused query/key/value projection, biases everywhere and a tanh-GELU MLP.
 * {@link ai.basalt.model.gpt2.Gpt2Model} runs inference against a KV cache;
 * {@link ai.basalt.model.gpt2.Gpt2Trainable} is the same model on a basalt-nn graph, for training, and writes
 * itself as GGUF and as a Hugging Face {@code GPT2LMHeadModel} folder.
 */
package ai.basalt.model.gpt2;

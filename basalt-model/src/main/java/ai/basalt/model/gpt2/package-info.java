/**
 * GPT-2 (Radford et al. 2019; llama.cpp {@code src/models/gpt2.cpp}): learned position embeddings,
 * pre-LayerNorm blocks with a fused query/key/value projection, biases everywhere and a tanh-GELU MLP.
 */
package ai.basalt.model.gpt2;

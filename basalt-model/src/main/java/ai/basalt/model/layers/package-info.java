/**
 * Building blocks shared by the architectures (not exported): for inference, checked weight loading from GGUF
 * and attention of one new position over a KV cache with grouped-query heads; for training, parameters created
 * under their GGUF names with GPT-2's initialisation, and the writers of GGUF files and Hugging Face folders
 * that the trainable architectures export through.
 */
package ai.basalt.model.layers;

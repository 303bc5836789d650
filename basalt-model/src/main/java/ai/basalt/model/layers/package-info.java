/**
 * Building blocks shared by the inference architectures (not exported): checked weight loading from GGUF
 * and attention of one new position over a KV cache with grouped-query heads.
 */
package ai.basalt.model.layers;

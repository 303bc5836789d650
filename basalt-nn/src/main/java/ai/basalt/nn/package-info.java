/**
 * Reverse-mode automatic differentiation over row-major float tensors.
 *
 * <p>{@link ai.basalt.nn.Var} is the value (data, lazily allocated gradient, shape); {@link ai.basalt.nn.Graph}
 * is the tape that records ops during the forward pass and runs their backward in reverse order. Ops are
 * coarse and fused where it pays, llm.c style (linear with bias, layer norm, fused softmax cross-entropy,
 * causal grouped-query attention); a small set of primitives (broadcasting arithmetic, element-wise
 * functions, sums, matmul, permutes) exists for custom computations and to check the fused ops against.
 *
 * <p>Memory: a graph owns a buffer pool; {@link ai.basalt.nn.Graph#reset()} returns every intermediate
 * buffer, and rebuilding the same graph takes the same arrays back, so steady-state training allocates
 * no float arrays. Determinism: every kernel either writes disjoint outputs per thread or reduces along a
 * fixed order (threads split columns, never the rows being summed), so results depend only on the seed
 * and, through {@link ai.basalt.tensor.Gemm}, on the thread count.
 *
 * <p>Extension points: a custom op is written with {@link ai.basalt.nn.Graph#output},
 * {@link ai.basalt.nn.Graph#grad} and {@link ai.basalt.nn.Graph#record}, exactly as the built-in ones are;
 * {@link ai.basalt.nn.Rng} is the one source of randomness (init and dropout), with a saveable state.
 */
package ai.basalt.nn;

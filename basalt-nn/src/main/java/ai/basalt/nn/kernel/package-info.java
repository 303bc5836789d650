/**
 * Forward and backward kernels over plain float arrays, side by side in one class per op with the same
 * name stem and {@code d}-prefixed gradients (llm.c {@code layernorm_forward} / {@code layernorm_backward}).
 * Backward kernels accumulate ({@code +=}) into gradients, so a tensor used twice sums its gradients, and
 * take null for a gradient that is not wanted.
 *
 * <p>Each class writes its shapes once in its documentation. Where a kernel has a Vector API version
 * (layer norm, RMSNorm, GELU, SwiGLU, attention, cross-entropy) the plain scalar one stays beside it as
 * {@code forwardScalar} / {@code backwardScalar} (or the per-element function), the oracle of a contract
 * test over awkward sizes. Work is split with {@link ai.basalt.tensor.Parallel} into fixed contiguous
 * partitions that never split a reduction, and lane arithmetic avoids the Vector API's transcendental
 * and float-sum reductions, whose bits differ between JIT tiers; so a kernel's result is the same on any
 * thread count and in every run. Matrix products go to {@link ai.basalt.tensor.Gemm}, always from the
 * caller's thread (a {@code Gemm} may itself use the pool, and the pool must not wait on itself).
 *
 * <p>Extension point: a new op adds a class here with {@code forward}/{@code backward} over arrays and
 * its graph side in {@code ai.basalt.nn} (or in model code, through {@link ai.basalt.nn.Graph#record}).
 */
package ai.basalt.nn.kernel;

/**
 * Tensors and kernels.
 *
 * <p>{@link ai.basalt.tensor.DType} is the closed set of GGML element types, each carrying its GGML id,
 * block size and bytes per block. {@link ai.basalt.tensor.Tensor} is a typed, shaped view over a
 * {@link java.lang.foreign.MemorySegment} (usually a slice of a memory-mapped model file), kept in its
 * stored (possibly quantized) type. {@link ai.basalt.tensor.TensorOps} is the kernel interface:
 * {@link ai.basalt.tensor.ScalarTensorOps} is the obviously-correct reference, kept as the test oracle
 * and fallback; the Vector API implementation ({@code VectorTensorOps}, chosen by {@link
 * ai.basalt.tensor.TensorOps#best()}) is the fast path. {@link ai.basalt.tensor.Quantizer} writes floats in
 * any computable type, bit for bit as ggml's reference quantizers. {@link ai.basalt.tensor.Parallel} runs
 * row-parallel work on one fixed pool.
 *
 * <p>Extension points: a new element type is a new {@code DType} constant (ids are append-only) plus its
 * block decoder in both kernel implementations (a switch arm in {@code VectorDecoders}) and its codec in
 * {@code Quantizer}; a new backend implements {@code TensorOps} and passes the contract test.
 */
package ai.basalt.tensor;

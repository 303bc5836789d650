/**
 * Re-encoding a GGUF model in a smaller type, as llama.cpp's {@code llama-quantize} does: {@link
 * ai.basalt.model.quantize.QuantizeType} names the targets ({@code Q8_0} … {@code Q5_K_M}) with their
 * {@code LLAMA_FTYPE} ids, {@link ai.basalt.model.quantize.QuantizationPlan} decides each tensor's type by
 * llama.cpp's rules ({@code src/llama-quant.cpp}, {@code llama_tensor_get_type}), and {@link
 * ai.basalt.model.quantize.GgufQuantizer} streams the tensors through the scalar codecs of {@code
 * ai.basalt.tensor.Quantizer} into a new file. A new target type starts as a constant of {@code QuantizeType}
 * and its per-tensor rules in {@code QuantizationPlan}.
 */
package ai.basalt.model.quantize;

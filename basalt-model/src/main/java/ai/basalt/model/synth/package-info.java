/**
 * Random-weight models in the exact shape of real families, for reproducible speed benchmarks without downloading
 * weights ({@code basalt synth}): {@link ai.basalt.model.synth.SynthPreset} is the table of families (hyper-parameters
 * as their published GGUF files carry them), {@link ai.basalt.model.synth.SyntheticVocabulary} a size-correct
 * byte-level BPE vocabulary with the family's special tokens, {@link ai.basalt.model.synth.SynthType} the output
 * types, and {@link ai.basalt.model.synth.SyntheticModel} the plan (metadata, tensor list, per-tensor types by
 * {@link ai.basalt.model.quantize.QuantizationPlan}'s llama.cpp rules) and the seeded writer. A new family starts as a
 * constant of {@code SynthPreset}.
 */
package ai.basalt.model.synth;

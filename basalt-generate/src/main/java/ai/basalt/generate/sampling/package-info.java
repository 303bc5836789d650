/**
 * Samplers as small composable stages over {@link ai.basalt.generate.sampling.Candidates}, chained in
 * llama.cpp's default order (penalties → top-k → top-p → min-p → temperature → draw). Each stage that
 * draws owns its seeded random generator; stateful stages observe accepted tokens.
 *
 * <p>Extension point: implement {@link ai.basalt.generate.sampling.Sampler} and add it to a
 * {@link ai.basalt.generate.sampling.SamplerChain}.
 */
package ai.basalt.generate.sampling;

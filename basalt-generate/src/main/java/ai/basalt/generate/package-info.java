/**
 * Generation: a {@link ai.basalt.generate.Session} runs a prompt through a model, then draws tokens with
 * a sampler chain until end-of-sequence, a stop string or the token budget, streaming text to a
 * {@link ai.basalt.generate.TokenListener}. Stop strings are never emitted: text that could still grow
 * into one is held back until it cannot.
 */
package ai.basalt.generate;

/**
 * Constrained decoding for structured output, as llama.cpp's grammars and Outlines/XGrammar do it: at every
 * step, the tokens whose bytes cannot continue a valid document are masked out of the logits before sampling.
 *
 * <p>{@link ai.basalt.generate.constrain.JsonGrammar} compiles what a request allows (any JSON object, a JSON
 * Schema subset, a tool call) into a byte-level grammar; {@link ai.basalt.generate.constrain.GrammarMatcher}
 * runs it over bytes; {@link ai.basalt.generate.constrain.TokenVocabulary} holds a tokenizer's token bytes as a
 * trie; {@link ai.basalt.generate.constrain.GrammarConstraint} is the
 * {@link ai.basalt.generate.constrain.TokenConstraint} joining the two, and
 * {@link ai.basalt.generate.constrain.ConstrainedChain} puts it in front of a sampler chain. Internally the
 * grammar runs as a set of parse stacks (llama.cpp's design) whose steps are memoised into a lazily built
 * deterministic automaton, with a token mask cached per automaton state.
 *
 * <p>Extension point: another kind of constraint (a regular expression, a GBNF grammar) is another
 * {@link ai.basalt.generate.constrain.TokenConstraint}; another document language is another compiler to the
 * package's grammar rules.
 */
package ai.basalt.generate.constrain;

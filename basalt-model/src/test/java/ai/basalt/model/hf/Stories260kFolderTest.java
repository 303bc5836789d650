package ai.basalt.model.hf;

import static org.assertj.core.api.Assertions.assertThat;

import ai.basalt.format.gguf.GgufFile;
import ai.basalt.model.LanguageModel;
import ai.basalt.model.Models;
import ai.basalt.testkit.ConformanceData;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real GGUF file (stories260K, written by llama.cpp's tools, with a SentencePiece vocabulary) written as a Hugging
 * Face folder ({@code tokenizer.model}, rotate-half query/key rows) runs with the same logits and tokenizer, and
 * converts back to the same tensors.
 */
class Stories260kFolderTest {
    @TempDir
    Path dir;

    @Test
    void theFolderRunsAsTheFileAndConvertsBack() {
        Path gguf = ConformanceData.require("models/stories260K/stories260K.gguf");
        Path folder = dir.resolve("stories260K");
        HuggingFaceConverter.toHuggingFace(gguf, folder, null, HuggingFaceConverter.DEFAULT_SHARD_BYTES);
        assertThat(folder.resolve("tokenizer.model")).exists();
        try (LanguageModel file = Models.load(gguf); LanguageModel hf = Models.load(folder)) {
            assertThat(hf.tokenizer().vocabulary()).isEqualTo(file.tokenizer().vocabulary());
            int[] prompt = file.tokenizer().encode("Once upon a time", true, false);
            assertThat(hf.tokenizer().encode("Once upon a time", true, false)).containsExactly(prompt);
            int[] path = HuggingFaceFolderTest.greedyPath(file, prompt, 16);
            List<float[]> want = HuggingFaceFolderTest.logits(file, path, prompt.length);
            assertThat(HuggingFaceFolderTest.maxRelativeDifference(HuggingFaceFolderTest.logits(hf, path, prompt.length),
                    want)).isZero();
        }
        Path back = dir.resolve("back.gguf");
        HuggingFaceConverter.toGguf(folder, back, null);
        try (GgufFile original = GgufFile.open(gguf); GgufFile again = GgufFile.open(back)) {
            HuggingFaceFolderTest.assertSameTensors(again, original);
            for (String key : List.of("llama.embedding_length", "llama.attention.head_count_kv", "llama.context_length",
                    "llama.rope.dimension_count", "tokenizer.ggml.tokens", "tokenizer.ggml.scores",
                    "tokenizer.ggml.token_type", "tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id")) {
                assertThat(again.metadata().raw(key)).as(key).isEqualTo(original.metadata().raw(key));
            }
        }
    }
}

package ai.basalt.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import ai.basalt.format.gguf.TokenType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Basalt's tokenizers read from {@code tokenizer.json} against Hugging Face {@code tokenizers} ({@link HuggingFaceOracle})
 * reading the same file: the same ids for every text of {@link ParityTexts} and for random texts, and the same text
 * decoded back.
 *
 * <p>Semantics matched: Hugging Face always matches added tokens (special or not) in the text, so its ids are
 * compared with Basalt's {@code encode(text, addSpecial, true)}; {@code add_special_tokens} runs the post-processor,
 * which is Basalt's {@code addSpecial} (nothing for the files of Llama 3 and Qwen 3 as published, which have a
 * {@code ByteLevel} post-processor; BOS for Llama 3.1's {@code TemplateProcessing}). Basalt's
 * {@code encode(text, false, false)}, which has no Hugging Face counterpart when the text holds a special token's
 * text, is compared on the texts that hold none. {@code decode(ids, skip_special_tokens)} is Basalt's
 * {@code decode(ids, false, !skip)}.
 */
class HuggingFaceParityTest {
    private static final int RANDOM_TEXTS = 300;

    @TempDir
    Path temp;

    @Test
    void llama3() {
        Path json = TestAssets.require(ConvertedVocabularies.LLAMA3_JSON);
        ByteLevelBpeTokenizer llama3 = HuggingFaceTokenizerJson.read(json);
        assertThat(llama3.preTokenizer()).isEqualTo(PreTokenizer.LLAMA3);
        assertThat(llama3.ignoresMerges()).isTrue();
        assertThat(llama3.vocabulary().addBos()).as("the published file's post-processor adds nothing").isFalse();
        compareEverywhere("llama3", llama3, json);
    }

    @Test
    void qwen3() {
        Path json = TestAssets.require(ConvertedVocabularies.QWEN_JSON);
        ByteLevelBpeTokenizer qwen = HuggingFaceTokenizerJson.read(json);
        assertThat(qwen.preTokenizer()).isEqualTo(PreTokenizer.QWEN2);
        assertThat(qwen.normalization()).isEqualTo(Normalization.NFC);
        assertThat(qwen.vocabulary().type(151_667)).as("<think> is not special").isEqualTo(TokenType.USER_DEFINED);
        compareEverywhere("qwen3", qwen, json);
    }

    /** GPT-2's own vocabulary written as the {@code tokenizer.json} Hugging Face publishes for it. */
    @Test
    void gpt2() {
        Path json = temp.resolve("gpt2.json");
        HuggingFaceTokenizerJson.write(TestAssets.gpt2(), json);
        ByteLevelBpeTokenizer gpt2 = HuggingFaceTokenizerJson.read(json);
        assertThat(gpt2.vocabulary()).isEqualTo(TestAssets.gpt2().vocabulary());
        compareEverywhere("gpt2", gpt2, json);
    }

    /**
     * SmolLM's pre-tokenizer ({@code Digits(individual_digits=true)} then {@code ByteLevel}) over GPT-2's vocabulary:
     * Hugging Face's two stages are the independent expectation of {@link PreTokenizer#SMOLLM}.
     */
    @Test
    void smollmPreTokenizer() {
        ByteLevelBpeTokenizer gpt2 = TestAssets.gpt2();
        Path json = temp.resolve("smollm.json");
        HuggingFaceTokenizerJson.write(new ByteLevelBpeTokenizer(gpt2.vocabulary(), gpt2.merges(), PreTokenizer.SMOLLM),
                json);
        ByteLevelBpeTokenizer smol = HuggingFaceTokenizerJson.read(json);
        assertThat(smol.preTokenizer()).isEqualTo(PreTokenizer.SMOLLM);
        try (HuggingFaceOracle hf = HuggingFaceOracle.open(json)) {
            assertThat(smol.encode("a 123", false, true)).containsExactly(hf.encode("a 123", false))
                    .hasSize(5); // "a", " ", "1", "2", "3"
            compare("smollm (crafted)", smol, hf, SmolLmPreTokenizerTest.CRAFTED);
        }
        compareEverywhere("smollm", smol, json);
    }

    /** Llama 3.1's post-processor, a TemplateProcessing after ByteLevel, adds BOS as Basalt's {@code addSpecial} does. */
    @Test
    void llama3WithTheTemplateOfLlama31AddsBos() throws IOException {
        Path published = TestAssets.require(ConvertedVocabularies.LLAMA3_JSON);
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = (ObjectNode) mapper.readTree(published.toFile());
        root.set("post_processor", mapper.readTree("""
                {"type": "Sequence", "processors": [
                  {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": false, "use_regex": true},
                  {"type": "TemplateProcessing",
                   "single": [{"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}},
                              {"Sequence": {"id": "A", "type_id": 0}}],
                   "pair": [{"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}},
                            {"Sequence": {"id": "A", "type_id": 0}},
                            {"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 1}},
                            {"Sequence": {"id": "B", "type_id": 1}}],
                   "special_tokens": {"<|begin_of_text|>": {"id": "<|begin_of_text|>", "ids": [128000],
                                                            "tokens": ["<|begin_of_text|>"]}}}]}"""));
        Path json = temp.resolve("llama31.json");
        mapper.writeValue(json.toFile(), root);
        ByteLevelBpeTokenizer llama31 = HuggingFaceTokenizerJson.read(json);
        assertThat(llama31.vocabulary().addBos()).isTrue();
        assertThat(llama31.vocabulary().bos()).isEqualTo(128_000);
        assertThat(llama31.encode("Hello world", true, true)).containsExactly(128_000, 9906, 1917);
        try (HuggingFaceOracle hf = HuggingFaceOracle.open(json)) {
            int tokens = compare("llama3.1-template", llama31, hf, ParityTexts.multilingualAndCode());
            assertThat(tokens).isGreaterThan(3_000);
        }
        // and written back by Basalt, the template still reads the same in both
        Path rewritten = temp.resolve("llama31-rewritten.json");
        HuggingFaceTokenizerJson.write(llama31, rewritten);
        try (HuggingFaceOracle hf = HuggingFaceOracle.open(rewritten)) {
            assertThat(hf.encode("Hello world", true)).containsExactly(128_000, 9906, 1917);
            assertThat(HuggingFaceTokenizerJson.read(rewritten).encode("Hello world", true, true))
                    .containsExactly(128_000, 9906, 1917);
        }
    }

    /**
     * The vocabularies of Llama 3 and Qwen 2 as llama.cpp's converter puts them in GGUF ({@link ConvertedVocabularies}),
     * which llama.cpp's own vectors check, give Hugging Face's ids too; Qwen's after NFC, which llama.cpp skips.
     */
    @Test
    void ggufVocabulariesAgreeWithHuggingFace() {
        List<String> texts = new ArrayList<>(ParityTexts.multilingualAndCode());
        texts.addAll(ParityTexts.jdkSources());
        int tokens = 0;
        for (String name : List.of(ConvertedVocabularies.LLAMA3_JSON, ConvertedVocabularies.QWEN_JSON)) {
            boolean qwen = name.equals(ConvertedVocabularies.QWEN_JSON);
            Tokenizer gguf = qwen ? ConvertedVocabularies.qwen2() : ConvertedVocabularies.llama3();
            try (HuggingFaceOracle hf = HuggingFaceOracle.open(TestAssets.require(name))) {
                for (int i = 0; i < texts.size(); i++) {
                    String text = qwen ? Normalization.NFC.apply(texts.get(i)) : texts.get(i);
                    int[] ids = hf.encode(text, false);
                    assertThat(gguf.encode(text, false, true)).as(name + " text " + i + " " + RandomInputs.describe(text))
                            .containsExactly(ids);
                    tokens += ids.length;
                }
            }
        }
        System.out.printf(Locale.ROOT, "GGUF vocabularies: %d texts, %d tokens%n", 2 * texts.size(), tokens);
    }

    /** The project's texts, the JDK's sources and random texts. */
    private static void compareEverywhere(String name, ByteLevelBpeTokenizer basalt, Path json) {
        try (HuggingFaceOracle hf = HuggingFaceOracle.open(json)) {
            List<String> texts = ParityTexts.multilingualAndCode();
            int tokens = compare(name, basalt, hf, texts);
            List<String> jdk = ParityTexts.jdkSources();
            if (jdk.isEmpty()) {
                System.err.println("SKIPPED: JDK sources missing: " + ParityTexts.jdkSourceZip());
            }
            int jdkTokens = compare(name + " (JDK sources)", basalt, hf, jdk);
            List<String> random = randomTexts(name, basalt.vocabulary());
            int randomTokens = compare(name + " (random)", basalt, hf, random);
            System.out.printf(Locale.ROOT, "%s: %d texts, %d tokens; JDK sources %d texts (%d lines), %d tokens;"
                    + " random %d texts, %d tokens%n", name, texts.size(), tokens, jdk.size(),
                    jdk.stream().mapToLong(t -> t.lines().count()).sum(), jdkTokens, random.size(), randomTokens);
            assertThat(tokens).as("tokens compared").isGreaterThan(3_000);
        }
    }

    /**
     * Compares every text with and without special tokens added, and decodes the ids back; returns the number of
     * tokens compared (counting each text once).
     */
    static int compare(String name, ByteLevelBpeTokenizer basalt, HuggingFaceOracle hf, List<String> texts) {
        int tokens = 0;
        for (int i = 0; i < texts.size(); i++) {
            String text = texts.get(i);
            String label = name + " text " + i + " " + RandomInputs.describe(text);
            int[] ids = hf.encode(text, false);
            assertThat(basalt.encode(text, false, true)).as(label).containsExactly(ids);
            assertThat(basalt.encode(text, true, true)).as(label + " with special tokens added")
                    .containsExactly(hf.encode(text, true));
            if (!holdsAddedToken(basalt.vocabulary(), text)) {
                assertThat(basalt.encode(text, false, false)).as(label + " unparsed").containsExactly(ids);
            }
            String decoded = hf.decode(ids, false);
            assertThat(decoded).as(label + " decoded by Hugging Face").isEqualTo(basalt.normalization().apply(text));
            assertThat(basalt.decode(ids, false, true)).as(label + " decoded").isEqualTo(decoded);
            assertThat(basalt.decode(ids)).as(label + " decoded without special tokens").isEqualTo(hf.decode(ids, true));
            tokens += ids.length;
        }
        return tokens;
    }

    private static boolean holdsAddedToken(Vocabulary v, String text) {
        for (int id = 0; id < v.size(); id++) {
            if (v.types()[id] != TokenType.NORMAL && text.contains(v.tokens()[id])) return true;
        }
        return false;
    }

    /**
     * Random code points ({@link RandomInputs#text}, no surrogates, which Hugging Face's Rust strings cannot hold),
     * every fourth text with special-token texts spliced in.
     */
    private static List<String> randomTexts(String name, Vocabulary v) {
        List<String> specials = new ArrayList<>();
        for (int id = 0; id < v.size(); id++) {
            if (v.types()[id] != TokenType.NORMAL) specials.add(v.tokens()[id]);
        }
        SplittableRandom r = RandomInputs.random("HuggingFaceParityTest." + name);
        List<String> texts = new ArrayList<>(RandomInputs.textEdgeCases(cp -> true));
        for (int i = 0; i < RANDOM_TEXTS; i++) {
            String text = RandomInputs.text(r);
            if (i % 4 == 0 && !specials.isEmpty()) {
                int at = r.nextInt(text.length() + 1);
                while (at > 0 && at < text.length() && Character.isLowSurrogate(text.charAt(at))) at--;
                text = text.substring(0, at) + specials.get(r.nextInt(specials.size())) + text.substring(at);
            }
            texts.add(text);
        }
        return texts;
    }
}

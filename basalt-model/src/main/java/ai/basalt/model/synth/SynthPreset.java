package ai.basalt.model.synth;

import ai.basalt.model.llama.Llama3RopeScaling;
import ai.basalt.model.llama.LlamaConfig;
import ai.basalt.tensor.RopeMode;
import ai.basalt.tokenizer.PreTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The families {@code basalt synth} imitates, with the hyper-parameters, tensor shapes and vocabulary layout of their
 * published GGUF files (as llama.cpp's {@code convert_hf_to_gguf.py} writes them). All three tie the output
 * projection to the token embedding, so the files have no {@code output.weight}.
 */
public enum SynthPreset {
    /** Meta Llama 3.2 1B: Llama 3 RoPE scaling stored as {@code rope_freqs.weight}; 256 control tokens at the end. */
    LLAMA_3_2_1B("llama-3.2-1b", "llama",
            new LlamaConfig(2048, 8192, 16, 32, 8, 64, 128256, 131072, 1e-5f, 500000f, 64, RopeMode.NORMAL),
            new Llama3RopeScaling(32f, 1f, 4f, 8192),
            new VocabularyLayout(PreTokenizer.LLAMA3, false, 128000, llama3Specials(), 128000, 128009, -1, true)),
    /** Qwen 2.5 0.5B: query/key/value biases, NeoX RoPE; 22 control tokens after the BPE tokens, then padding. */
    QWEN2_5_0_5B("qwen2.5-0.5b", "qwen2",
            new LlamaConfig(896, 4864, 24, 14, 2, 64, 151936, 32768, 1e-6f, 1000000f, 64, RopeMode.NEOX, 1f, true,
                    false, false, false),
            null,
            new VocabularyLayout(PreTokenizer.QWEN2, false, 151643, List.of("<|endoftext|>", "<|im_start|>",
                    "<|im_end|>", "<|object_ref_start|>", "<|object_ref_end|>", "<|box_start|>", "<|box_end|>",
                    "<|quad_start|>", "<|quad_end|>", "<|vision_start|>", "<|vision_end|>", "<|vision_pad|>",
                    "<|image_pad|>", "<|video_pad|>", "<tool_call>", "</tool_call>", "<|fim_prefix|>", "<|fim_middle|>",
                    "<|fim_suffix|>", "<|fim_pad|>", "<|repo_name|>", "<|file_sep|>"), 151643, 151645, 151643, false)),
    /** SmolLM 135M: a small llama; 17 control tokens at the start of the vocabulary. */
    SMOLLM_135M("smollm-135m", "llama",
            new LlamaConfig(576, 1536, 30, 9, 3, 64, 49152, 2048, 1e-5f, 10000f, 64, RopeMode.NORMAL),
            null,
            new VocabularyLayout(PreTokenizer.SMOLLM, true, 49135, List.of("<|endoftext|>", "<|im_start|>",
                    "<|im_end|>", "<repo_name>", "<reponame>", "<file_sep>", "<filename>", "<gh_stars>", "<issue_start>",
                    "<issue_comment>", "<issue_closed>", "<jupyter_start>", "<jupyter_text>", "<jupyter_code>",
                    "<jupyter_output>", "<jupyter_script>", "<empty_output>"), 1, 2, -1, false));

    /**
     * Where the tokens go: {@code normalTokens} byte-level BPE tokens, the control tokens {@code specials} before them
     * ({@code specialsFirst}) or after them, then unused {@code [PADn]} tokens up to the model's vocabulary size.
     *
     * @param bos beginning-of-sequence id
     * @param eos end-of-sequence id
     * @param pad padding id, or -1
     */
    public record VocabularyLayout(PreTokenizer preTokenizer, boolean specialsFirst, int normalTokens,
            List<String> specials, int bos, int eos, int pad, boolean addBos) {
        public VocabularyLayout {
            specials = List.copyOf(specials);
        }
    }

    private final String presetName;
    private final String architecture;
    private final LlamaConfig config;
    private final Llama3RopeScaling ropeScaling;
    private final VocabularyLayout vocabulary;

    SynthPreset(String presetName, String architecture, LlamaConfig config, Llama3RopeScaling ropeScaling,
            VocabularyLayout vocabulary) {
        this.presetName = presetName;
        this.architecture = architecture;
        this.config = config;
        this.ropeScaling = ropeScaling;
        this.vocabulary = vocabulary;
    }

    /** The name on the command line, e.g. {@code llama-3.2-1b}. */
    public String presetName() {
        return presetName;
    }

    /** {@code general.architecture}. */
    public String architecture() {
        return architecture;
    }

    public LlamaConfig config() {
        return config;
    }

    /** Llama 3 RoPE scaling, or null where the family has none. */
    public Llama3RopeScaling ropeScaling() {
        return ropeScaling;
    }

    public VocabularyLayout vocabulary() {
        return vocabulary;
    }

    /**
     * The preset named {@code name} (its {@link #presetName}, ignoring case).
     *
     * @throws IllegalArgumentException naming the presets if there is none
     */
    public static SynthPreset parse(String name) {
        for (SynthPreset p : values()) {
            if (p.presetName.equalsIgnoreCase(name.strip())) return p;
        }
        throw new IllegalArgumentException("unknown preset '" + name + "', expected one of " + validNames());
    }

    /** The preset names, comma-separated. */
    public static String validNames() {
        return Arrays.stream(values()).map(SynthPreset::presetName).collect(Collectors.joining(", "));
    }

    /** Llama 3's 256 control tokens, ids 128000 to 128255, as in its tokenizer.json. */
    private static List<String> llama3Specials() {
        List<String> out = new ArrayList<>(List.of("<|begin_of_text|>", "<|end_of_text|>", "<|reserved_special_token_0|>",
                "<|reserved_special_token_1|>", "<|finetune_right_pad_id|>", "<|reserved_special_token_2|>",
                "<|start_header_id|>", "<|end_header_id|>", "<|eom_id|>", "<|eot_id|>", "<|python_tag|>"));
        for (int i = 3; out.size() < 256; i++) out.add("<|reserved_special_token_" + i + "|>");
        return out;
    }
}

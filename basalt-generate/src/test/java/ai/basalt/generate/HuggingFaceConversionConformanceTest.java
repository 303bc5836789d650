package ai.basalt.generate;

import static org.assertj.core.api.Assertions.assertThat;

import ai.basalt.format.gguf.GgufFile;
import ai.basalt.format.safetensors.SafetensorsDType;
import ai.basalt.format.safetensors.SafetensorsWriter;
import ai.basalt.testkit.llamacpp.LlamaCppOracle;
import ai.basalt.model.InferenceState;
import ai.basalt.model.KvType;
import ai.basalt.model.LanguageModel;
import ai.basalt.model.Models;
import ai.basalt.model.hf.HuggingFaceConverter;
import ai.basalt.tokenizer.ByteLevelBpeTokenizer;
import ai.basalt.tokenizer.HuggingFaceTokenizerJson;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hugging Face folders against llama.cpp: a small random-weight folder per family, written the way
 * {@code transformers} saves it (its names, rotate-half query/key rows, config.json fields, tokenizer.json), is
 * converted to GGUF by Basalt's converter; llama.cpp (b4916, the library in {@code de.kherud:llama}) runs that file,
 * Basalt runs the folder itself. Over 64 greedy steps the tokens must be equal and Basalt's logits within
 * {@value #RELATIVE_TOLERANCE} of llama.cpp's, relative to the step's largest logit magnitude. So the GGUF Basalt
 * writes loads in llama.cpp, and the folder means the model llama.cpp runs. (llama.cpp b4916 has no qwen3.)
 *
 * <p>Measured (max relative logit difference over 64 steps; tokens equal in all): llama 3.1e-6, mistral 2.1e-6,
 * qwen2 1.3e-6, phi3 2.4e-6, Llama 3 RoPE scaling 1.8e-6.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HuggingFaceConversionConformanceTest {
    private static final int STEPS = 64;
    private static final double RELATIVE_TOLERANCE = 1e-3;
    private static final String END_OF_TEXT = "<|endoftext|>";
    private static final String PROMPT = "the cat sat";
    private static final int DIM = 64, FFN = 96, LAYERS = 2, HEADS = 4, KV_HEADS = 2, HEAD_DIM = 16, CONTEXT = 128;
    private static final ObjectMapper JSON = new ObjectMapper();

    private ByteLevelBpeTokenizer tokenizer;

    @TempDir
    Path dir;

    @BeforeAll
    void tokenizer() {
        tokenizer = ArchitectureConformanceTest.smallTokenizer();
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "mistral", "qwen2", "phi3", "llama3-rope"})
    void theConvertedFolderRunsInLlamaCppAsTheFolderRunsInBasalt(String name) throws IOException {
        Path folder = writeFolder(name, dir.resolve("random-" + Math.abs(name.hashCode())));
        Path gguf = dir.resolve("converted.gguf");
        HuggingFaceConverter.toGguf(folder, gguf, null);
        try (GgufFile f = GgufFile.open(gguf)) {
            assertThat(f.architecture()).isEqualTo(name.startsWith("llama") || name.equals("mistral") ? "llama" : name);
        }

        try (LlamaCppOracle oracle = LlamaCppOracle.open(gguf); LanguageModel model = Models.load(folder)) {
            int[] prompt = tokenizer.encode(PROMPT);
            assertThat(oracle.tokenize(PROMPT)).as("llama.cpp's tokens of the prompt").containsExactly(prompt);
            assertThat(oracle.vocabSize()).isEqualTo(model.vocabularySize());
            LlamaCppOracle.Result expected = oracle.greedy(prompt, STEPS);
            assertThat(expected.steps()).as("llama.cpp's greedy steps").hasSize(STEPS);

            int[] ours = Logits.greedy(model, prompt, STEPS);
            assertThat(ours).as("%s: Basalt's greedy tokens on the folder", name).containsExactly(expected.tokens());
            assertThat(Arrays.stream(ours).distinct().count()).as("distinct tokens generated").isGreaterThan(3);

            int[] path = Arrays.copyOf(prompt, prompt.length + STEPS);
            System.arraycopy(expected.tokens(), 0, path, prompt.length, STEPS);
            double worst = 0;
            InferenceState state = model.newState(path.length, KvType.F32);
            for (int pos = 0; pos < path.length - 1; pos++) {
                float[] logits = model.forward(state, path[pos], pos, pos >= prompt.length - 1);
                if (pos < prompt.length - 1) continue;
                float[] want = oracle.logits(Arrays.copyOf(path, pos + 1));
                double diff = 0, scale = 0;
                for (int i = 0; i < want.length; i++) {
                    diff = Math.max(diff, Math.abs(logits[i] - want[i]));
                    scale = Math.max(scale, Math.abs(want[i]));
                }
                worst = Math.max(worst, diff / scale);
            }
            System.out.printf("%s: folder in Basalt vs its GGUF conversion in llama.cpp: %d greedy tokens equal, max "
                    + "relative logit difference %.3g%n", name, STEPS, worst);
            assertThat(worst).as("%s: max |Δlogit| / max |logit| over %d steps", name, STEPS)
                    .isLessThanOrEqualTo(RELATIVE_TOLERANCE);
        }
    }


    /** A tensor of the folder: its transformers name, shape (outermost first) and values. */
    private record HfTensor(String name, long[] shape, float[] values) {}

    /**
     * The folder {@code save_pretrained} writes for family {@code name}: config.json, model.safetensors (F32),
     * tokenizer.json and tokenizer_config.json. Weights are drawn in Hugging Face's layout with the scales of
     * ArchitectureConformanceTest; the end-of-text rows of the embedding and output are zero, so that its logit
     * (0) never wins and both engines decode all 64 steps.
     */
    private Path writeFolder(String name, Path folder) throws IOException {
        Files.createDirectories(folder);
        boolean phi3 = name.equals("phi3");
        boolean qwen2 = name.equals("qwen2");
        boolean tied = qwen2;
        int vocab = tokenizer.vocabulary().size();
        int eos = tokenizer.vocabulary().eos();
        int q = HEADS * HEAD_DIM, kv = KV_HEADS * HEAD_DIM;
        SplittableRandom r = new SplittableRandom(name.hashCode());
        List<HfTensor> t = new ArrayList<>();
        t.add(zeroRow(matrix("model.embed_tokens.weight", vocab, DIM, 0.2, r), eos));
        for (int l = 0; l < LAYERS; l++) {
            String p = "model.layers." + l + ".";
            t.add(vector(p + "input_layernorm.weight", DIM, 1, 0.2, r));
            if (phi3) {
                t.add(matrix(p + "self_attn.qkv_proj.weight", q + 2 * kv, DIM, 2 / Math.sqrt(DIM), r));
            } else {
                t.add(matrix(p + "self_attn.q_proj.weight", q, DIM, 2 / Math.sqrt(DIM), r));
                t.add(matrix(p + "self_attn.k_proj.weight", kv, DIM, 2 / Math.sqrt(DIM), r));
                t.add(matrix(p + "self_attn.v_proj.weight", kv, DIM, 1 / Math.sqrt(DIM), r));
            }
            if (qwen2) {
                t.add(vector(p + "self_attn.q_proj.bias", q, 0, 0.5, r));
                t.add(vector(p + "self_attn.k_proj.bias", kv, 0, 0.5, r));
                t.add(vector(p + "self_attn.v_proj.bias", kv, 0, 0.5, r));
            }
            t.add(matrix(p + "self_attn.o_proj.weight", DIM, q, 1 / Math.sqrt(q), r));
            t.add(vector(p + "post_attention_layernorm.weight", DIM, 1, 0.2, r));
            if (phi3) {
                t.add(matrix(p + "mlp.gate_up_proj.weight", 2 * FFN, DIM, 1 / Math.sqrt(DIM), r));
            } else {
                t.add(matrix(p + "mlp.gate_proj.weight", FFN, DIM, 1 / Math.sqrt(DIM), r));
                t.add(matrix(p + "mlp.up_proj.weight", FFN, DIM, 1 / Math.sqrt(DIM), r));
            }
            t.add(matrix(p + "mlp.down_proj.weight", DIM, FFN, 1 / Math.sqrt(FFN), r));
        }
        t.add(vector("model.norm.weight", DIM, tied ? 8 : 1, 0.2, r));
        if (!tied) t.add(zeroRow(matrix("lm_head.weight", vocab, DIM, 0.5, r), eos));
        SafetensorsWriter weights = new SafetensorsWriter().metadata("format", "pt");
        for (HfTensor x : t) {
            weights.add(x.name(), SafetensorsDType.F32, x.shape(), java.lang.foreign.MemorySegment.ofArray(x.values()));
        }
        weights.write(folder.resolve("model.safetensors"));
        Files.writeString(folder.resolve("config.json"), JSON.writeValueAsString(config(name, vocab, tied)));
        HuggingFaceTokenizerJson.write(tokenizer, folder.resolve("tokenizer.json"));
        ObjectNode settings = JSON.createObjectNode().put("tokenizer_class", "PreTrainedTokenizerFast")
                .put("bos_token", END_OF_TEXT).put("eos_token", END_OF_TEXT).put("add_bos_token", false);
        Files.writeString(folder.resolve("tokenizer_config.json"), JSON.writeValueAsString(settings));
        return folder;
    }

    private static ObjectNode config(String name, int vocab, boolean tied) {
        String cls = switch (name) {
            case "mistral" -> "MistralForCausalLM";
            case "qwen2" -> "Qwen2ForCausalLM";
            case "phi3" -> "Phi3ForCausalLM";
            default -> "LlamaForCausalLM";
        };
        ObjectNode c = JSON.createObjectNode();
        c.putArray("architectures").add(cls);
        c.put("model_type", name.startsWith("llama") ? "llama" : name).put("vocab_size", vocab)
                .put("hidden_size", DIM).put("intermediate_size", FFN).put("num_hidden_layers", LAYERS)
                .put("num_attention_heads", HEADS).put("num_key_value_heads", KV_HEADS)
                .put("max_position_embeddings", CONTEXT).put("tie_word_embeddings", tied).put("hidden_act", "silu")
                .put("rms_norm_eps", name.equals("qwen2") ? 1e-6 : 1e-5)
                .put("rope_theta", name.equals("llama") || name.equals("phi3") ? 10000.0 : 1e6)
                .put("torch_dtype", "float32");
        if (name.equals("phi3")) c.put("sliding_window", CONTEXT).put("original_max_position_embeddings", CONTEXT);
        if (name.equals("llama3-rope")) {
            // original context 32, so that this small head has unscaled, smoothly scaled and fully scaled frequencies
            c.putObject("rope_scaling").put("rope_type", "llama3").put("factor", 8.0).put("low_freq_factor", 1.0)
                    .put("high_freq_factor", 4.0).put("original_max_position_embeddings", 32);
        }
        return c;
    }

    private static HfTensor matrix(String name, int rows, int cols, double std, SplittableRandom r) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextGaussian() * std);
        return new HfTensor(name, new long[] {rows, cols}, v);
    }

    private static HfTensor zeroRow(HfTensor m, int row) {
        int cols = (int) m.shape()[1];
        Arrays.fill(m.values(), row * cols, (row + 1) * cols, 0f);
        return m;
    }

    private static HfTensor vector(String name, int n, double mean, double std, SplittableRandom r) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (mean + r.nextGaussian() * std);
        return new HfTensor(name, new long[] {n}, v);
    }
}

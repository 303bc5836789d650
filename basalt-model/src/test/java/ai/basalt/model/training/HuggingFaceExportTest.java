package ai.basalt.model.training;

import static org.assertj.core.api.Assertions.assertThat;

import ai.basalt.format.safetensors.SafetensorsFile;
import ai.basalt.format.safetensors.SafetensorsTensorInfo;
import ai.basalt.model.llama.LlamaRopeLayout;
import ai.basalt.nn.Rng;
import ai.basalt.nn.Var;
import ai.basalt.tokenizer.ByteLevelBpeTokenizer;
import ai.basalt.tokenizer.HuggingFaceTokenizerJson;
import ai.basalt.tokenizer.training.BpeTrainer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hugging Face folders read back with Basalt's safetensors reader: {@code transformers}' names and shapes, Llama's
 * query/key rows in rotate-half order (undone exactly by llama.cpp's permute), GPT-2's Conv1D matrices transposed,
 * the config and generation config, and a byte-level BPE tokenizer that reads back as the same tokenizer.
 */
class HuggingFaceExportTest {
    private static final String END_OF_TEXT = "<|endoftext|>";
    private static final ByteLevelBpeTokenizer TOKENIZER = new BpeTrainer(new BpeTrainer.Config(300, List.of(END_OF_TEXT)))
            .train("the cat sat on the mat. the dog sat on the log. a cat and a dog. ".repeat(20));
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static int vocab() {
        return TOKENIZER.vocabulary().size();
    }

    /** Every tensor of the folder's model.safetensors, by name, as row-major floats with its shape. */
    private record Weights(Map<String, long[]> shapes, Map<String, float[]> values, Map<String, String> metadata) {
        static Weights read(Path file) {
            Map<String, long[]> shapes = new HashMap<>();
            Map<String, float[]> values = new HashMap<>();
            try (SafetensorsFile f = SafetensorsFile.open(file)) {
                for (SafetensorsTensorInfo info : f.tensors()) {
                    assertThat(info.dtype().name()).as(info.name()).isEqualTo("F32");
                    shapes.put(info.name(), info.shape());
                    values.put(info.name(), f.tensor(info.name()).toFloatArray());
                }
                return new Weights(shapes, values, f.metadata());
            }
        }
    }

    private static JsonNode json(Path file) throws IOException {
        return JSON.readTree(Files.readString(file));
    }

    private static float[] values(Var p) {
        return Arrays.copyOf(p.data(), p.size());
    }

    @Test
    void llamaFolderHasTransformersNamesAndRotateHalfProjections() throws IOException {
        ModelSpec spec = new ModelSpec("llama", 2, 4, 2, 32, 80, 64, vocab(), 1e-5f, 10000f, false, 0f);
        TrainableModel model = GgufExportTest.randomized(spec, 3);
        model.writeHuggingFace(dir, TOKENIZER);

        JsonNode c = json(dir.resolve("config.json"));
        assertThat(c.path("architectures").get(0).asText()).isEqualTo("LlamaForCausalLM");
        assertThat(c.path("model_type").asText()).isEqualTo("llama");
        assertThat(c.path("hidden_size").asInt()).isEqualTo(32);
        assertThat(c.path("intermediate_size").asInt()).isEqualTo(80);
        assertThat(c.path("num_hidden_layers").asInt()).isEqualTo(2);
        assertThat(c.path("num_attention_heads").asInt()).isEqualTo(4);
        assertThat(c.path("num_key_value_heads").asInt()).isEqualTo(2);
        assertThat(c.path("head_dim").asInt()).isEqualTo(8);
        assertThat(c.path("max_position_embeddings").asInt()).isEqualTo(64);
        assertThat(c.path("vocab_size").asInt()).isEqualTo(vocab());
        assertThat(c.path("rms_norm_eps").asDouble()).isEqualTo(1e-5);
        assertThat(c.path("rope_theta").asDouble()).isEqualTo(10000.0);
        assertThat(c.path("hidden_act").asText()).isEqualTo("silu");
        assertThat(c.path("tie_word_embeddings").asBoolean()).isFalse();
        assertThat(c.path("eos_token_id").asInt()).isEqualTo(TOKENIZER.vocabulary().eos());

        Weights w = Weights.read(dir.resolve("model.safetensors"));
        assertThat(w.metadata()).containsEntry("format", "pt");
        List<String> expected = new ArrayList<>(List.of("model.embed_tokens.weight", "model.norm.weight", "lm_head.weight"));
        for (int l = 0; l < 2; l++) {
            for (String s : List.of("input_layernorm", "post_attention_layernorm", "self_attn.q_proj", "self_attn.k_proj",
                    "self_attn.v_proj", "self_attn.o_proj", "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj")) {
                expected.add("model.layers." + l + "." + s + ".weight");
            }
        }
        assertThat(w.shapes().keySet()).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(w.shapes().get("model.embed_tokens.weight")).containsExactly(vocab(), 32);
        assertThat(w.shapes().get("model.layers.1.self_attn.q_proj.weight")).containsExactly(32, 32);
        assertThat(w.shapes().get("model.layers.1.self_attn.k_proj.weight")).containsExactly(16, 32);
        assertThat(w.shapes().get("model.layers.1.mlp.gate_proj.weight")).containsExactly(80, 32);
        assertThat(w.shapes().get("model.layers.1.mlp.down_proj.weight")).containsExactly(32, 80);

        for (int l = 0; l < 2; l++) {
            String p = "model.layers." + l + ".";
            float[] q = w.values().get(p + "self_attn.q_proj.weight");
            float[] k = w.values().get(p + "self_attn.k_proj.weight");
            float[] wq = values(model.parameter("blk." + l + ".attn_q.weight"));
            float[] wk = values(model.parameter("blk." + l + ".attn_k.weight"));
            assertThat(q).as("q_proj is permuted").isNotEqualTo(wq);
            assertThat(LlamaRopeLayout.halvesToPairs(q, 4, 8, 32)).as("q_proj permuted back").containsExactly(wq);
            assertThat(LlamaRopeLayout.halvesToPairs(k, 2, 8, 32)).as("k_proj permuted back").containsExactly(wk);
            assertThat(w.values().get(p + "self_attn.v_proj.weight")).containsExactly(values(model.parameter("blk." + l + ".attn_v.weight")));
            assertThat(w.values().get(p + "mlp.gate_proj.weight")).containsExactly(values(model.parameter("blk." + l + ".ffn_gate.weight")));
            assertThat(w.values().get(p + "mlp.up_proj.weight")).containsExactly(values(model.parameter("blk." + l + ".ffn_up.weight")));
        }
        assertThat(w.values().get("lm_head.weight")).containsExactly(values(model.parameter("output.weight")));
        assertTokenizerFiles(64);
    }

    @Test
    void gpt2FolderHasTransformersNamesAndTransposedConv1DWeights() throws IOException {
        ModelSpec spec = new ModelSpec("gpt2", 1, 4, 4, 32, 128, 48, vocab(), 1e-5f, 10000f, true, 0.1f);
        TrainableModel model = GgufExportTest.randomized(spec, 4);
        model.writeHuggingFace(dir, TOKENIZER);

        JsonNode c = json(dir.resolve("config.json"));
        assertThat(c.path("architectures").get(0).asText()).isEqualTo("GPT2LMHeadModel");
        assertThat(c.path("model_type").asText()).isEqualTo("gpt2");
        assertThat(c.path("n_embd").asInt()).isEqualTo(32);
        assertThat(c.path("n_layer").asInt()).isEqualTo(1);
        assertThat(c.path("n_head").asInt()).isEqualTo(4);
        assertThat(c.path("n_inner").asInt()).isEqualTo(128);
        assertThat(c.path("n_positions").asInt()).isEqualTo(48);
        assertThat(c.path("activation_function").asText()).isEqualTo("gelu_new");
        assertThat(c.path("layer_norm_epsilon").asDouble()).isEqualTo(1e-5);
        assertThat(c.path("resid_pdrop").asDouble()).isEqualTo(0.1);
        assertThat(c.path("tie_word_embeddings").asBoolean()).isTrue();

        Weights w = Weights.read(dir.resolve("model.safetensors"));
        assertThat(w.shapes()).doesNotContainKey("lm_head.weight");
        assertThat(w.shapes().keySet()).contains("transformer.wte.weight", "transformer.wpe.weight",
                "transformer.h.0.ln_1.bias", "transformer.h.0.attn.c_attn.bias", "transformer.ln_f.weight").hasSize(16);
        assertThat(w.shapes().get("transformer.wpe.weight")).containsExactly(48, 32);
        assertThat(w.shapes().get("transformer.h.0.attn.c_attn.weight")).containsExactly(32, 96);
        assertThat(w.shapes().get("transformer.h.0.attn.c_proj.weight")).containsExactly(32, 32);
        assertThat(w.shapes().get("transformer.h.0.mlp.c_fc.weight")).containsExactly(32, 128);
        assertThat(w.shapes().get("transformer.h.0.mlp.c_proj.weight")).containsExactly(128, 32);
        assertThat(w.values().get("transformer.h.0.attn.c_attn.weight"))
                .containsExactly(transpose(values(model.parameter("blk.0.attn_qkv.weight")), 96, 32));
        assertThat(w.values().get("transformer.h.0.mlp.c_proj.weight"))
                .containsExactly(transpose(values(model.parameter("blk.0.ffn_down.weight")), 32, 128));
        assertThat(w.values().get("transformer.h.0.attn.c_attn.bias")).containsExactly(values(model.parameter("blk.0.attn_qkv.bias")));
        assertThat(w.values().get("transformer.wte.weight")).containsExactly(values(model.parameter("token_embd.weight")));
        assertTokenizerFiles(48);
    }

    @Test
    void aTokenizerWithoutHuggingFaceFormIsLeftOut() {
        ModelSpec spec = new ModelSpec("llama", 1, 2, 2, 8, 16, 8, GgufExportTest.TOKENIZER.vocabulary().size(), 1e-5f,
                1e4f, true, 0f);
        TrainableModels.create(spec, new Rng(1)).writeHuggingFace(dir, GgufExportTest.TOKENIZER);
        assertThat(dir.resolve("config.json")).exists();
        assertThat(dir.resolve("model.safetensors")).exists();
        assertThat(dir.resolve("tokenizer.json")).doesNotExist();
    }

    private void assertTokenizerFiles(int context) throws IOException {
        JsonNode generation = json(dir.resolve("generation_config.json"));
        assertThat(generation.path("bos_token_id").asInt()).isEqualTo(TOKENIZER.vocabulary().bos());
        assertThat(generation.path("eos_token_id").asInt()).isEqualTo(TOKENIZER.vocabulary().eos());
        JsonNode tc = json(dir.resolve("tokenizer_config.json"));
        assertThat(tc.path("tokenizer_class").asText()).isEqualTo("PreTrainedTokenizerFast");
        assertThat(tc.path("eos_token").asText()).isEqualTo(END_OF_TEXT);
        assertThat(tc.path("model_max_length").asInt()).isEqualTo(context);
        ByteLevelBpeTokenizer back = HuggingFaceTokenizerJson.read(dir.resolve("tokenizer.json"));
        String text = "the cat and the dog sat on a log.";
        assertThat(back.encode(text)).containsExactly(TOKENIZER.encode(text));
    }

    /** (cols, rows) from (rows, cols). */
    private static float[] transpose(float[] a, int rows, int cols) {
        float[] t = new float[a.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c];
        }
        return t;
    }
}

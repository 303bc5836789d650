package ai.basalt.model.hf;

import ai.basalt.format.gguf.GgufMetadata;
import ai.basalt.format.gguf.GgufWriter;
import ai.basalt.format.gguf.MetadataKey;
import ai.basalt.format.gguf.TensorKey;
import ai.basalt.format.gguf.TokenType;
import ai.basalt.format.safetensors.SafetensorsDType;
import ai.basalt.format.safetensors.ShardedSafetensorsWriter;
import ai.basalt.model.llama.LlamaRopeLayout;
import ai.basalt.tensor.DType;
import ai.basalt.tensor.Quantizer;
import ai.basalt.tensor.Tensor;
import ai.basalt.tokenizer.ByteLevelBpeTokenizer;
import ai.basalt.tokenizer.HuggingFaceTokenizerJson;
import ai.basalt.tokenizer.SentencePieceBpeTokenizer;
import ai.basalt.tokenizer.SentencePieceModelWriter;
import ai.basalt.tokenizer.Tokenizer;
import ai.basalt.tokenizer.Vocabulary;
import ai.basalt.tokenizer.training.BpeTrainer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One small random-weight model written two ways by the test itself, independently of the converter: as the GGUF
 * file llama.cpp's {@code convert_hf_to_gguf.py} makes (its names, keys, adjacent-pair query/key rows, GPT-2's
 * Conv1D weights as (out, in) matrices) and as the Hugging Face folder {@code transformers} saves (its names and
 * config fields, rotate-half rows, (in, out) Conv1D weights). Weights are drawn in GGUF layout and rounded to the
 * checkpoint's dtype, so both forms hold the same numbers; the GGUF keeps vectors in F32 as the converter does.
 *
 * <p>Shapes: C = 64, F = 96, 2 layers, 4 query heads over 2 KV heads, head width 16 (32 for qwen3).
 */
public final class RandomCheckpoint {
    public static final int DIM = 64, FFN = 96, LAYERS = 2, HEADS = 4, KV_HEADS = 2, CONTEXT = 128;
    static final String END_OF_TEXT = "<|endoftext|>";
    static final String TEMPLATE = "{% for m in messages %}<|{{ m.role }}|>{{ m.content }}{% endfor %}";
    private static final ByteLevelBpeTokenizer BPE = new BpeTrainer(new BpeTrainer.Config(300, List.of(END_OF_TEXT)))
            .train("the cat sat on the mat. the dog sat on the log. a bird sang in the tree. ".repeat(20));
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * What varies between cases.
     *
     * @param family the transformers class's model_type: llama, mistral, qwen2, qwen3, phi3, gpt2
     * @param rope none, linear (factor 4) or llama3 (factor 8, frequency factors 1 and 4, original context 32)
     * @param shardBytes shard size of the checkpoint; 0 for a single model.safetensors
     * @param padding unused vocabulary slots past the tokenizer's tokens (config.json's vocab_size is larger)
     * @param bareGpt2 GPT-2 tensors without the "transformer." prefix, as the openai-community/gpt2 checkpoint has them
     */
    public record Case(String name, String family, int headDim, boolean tied, String rope, SafetensorsDType dtype,
            long shardBytes, int padding, boolean bareGpt2) {
        String ggufArch() {
            return family.equals("mistral") ? "llama" : family;
        }

        boolean sentencePiece() {
            return family.equals("phi3");
        }
    }

    static final List<String> CASES = List.of("llama", "mistral", "qwen2", "qwen3", "phi3", "gpt2", "gpt2-bare",
            "llama-tied", "llama-linear-rope", "llama3-rope", "llama-sharded", "llama-bf16", "qwen2-f16");

    public static Case of(String name) {
        SafetensorsDType f32 = SafetensorsDType.F32;
        return switch (name) {
            case "llama" -> new Case(name, "llama", 16, false, "none", f32, 0, 0, false);
            case "mistral" -> new Case(name, "mistral", 16, false, "none", f32, 0, 0, false);
            case "qwen2" -> new Case(name, "qwen2", 16, true, "none", f32, 0, 4, false);
            case "qwen3" -> new Case(name, "qwen3", 32, true, "none", f32, 0, 0, false);
            case "phi3" -> new Case(name, "phi3", 16, false, "none", f32, 0, 3, false);
            case "gpt2" -> new Case(name, "gpt2", 16, true, "none", f32, 0, 0, false);
            case "gpt2-bare" -> new Case(name, "gpt2", 16, false, "none", f32, 0, 0, true);
            case "llama-tied" -> new Case(name, "llama", 16, true, "none", f32, 0, 0, false);
            case "llama-linear-rope" -> new Case(name, "llama", 16, false, "linear", f32, 0, 0, false);
            case "llama3-rope" -> new Case(name, "llama", 16, false, "llama3", f32, 0, 0, false);
            case "llama-sharded" -> new Case(name, "llama", 16, false, "none", f32, 40_000, 0, false);
            case "llama-bf16" -> new Case(name, "llama", 16, false, "none", SafetensorsDType.BF16, 0, 0, false);
            case "qwen2-f16" -> new Case(name, "qwen2", 16, true, "none", SafetensorsDType.F16, 0, 0, false);
            default -> throw new IllegalArgumentException(name);
        };
    }

    final Case c;
    final Tokenizer tokenizer;
    /** GGUF names and layout, values already rounded to the checkpoint's dtype. */
    final List<Tensor> tensors;

    public RandomCheckpoint(Case c) {
        this.c = c;
        this.tokenizer = c.sentencePiece() ? sentencePiece(c.padding()) : bpe(c.padding());
        this.tensors = weights(new SplittableRandom(c.name().hashCode()));
    }

    int vocab() {
        return tokenizer.vocabulary().size();
    }

    // ----------------------------------------------------------------------------------------------------------
    // The GGUF file, as convert_hf_to_gguf.py writes it

    public Path writeGguf(Path file) {
        String a = c.ggufArch();
        GgufMetadata.Builder m = GgufMetadata.builder().putString(MetadataKey.GENERAL_ARCHITECTURE.key(), a)
                .putString(MetadataKey.GENERAL_NAME.key(), "random " + c.name());
        if (c.family().equals("gpt2")) {
            m.putInt(MetadataKey.CONTEXT_LENGTH.of(a), CONTEXT).putInt(MetadataKey.EMBEDDING_LENGTH.of(a), DIM)
                    .putInt(MetadataKey.BLOCK_COUNT.of(a), LAYERS).putInt(MetadataKey.FEED_FORWARD_LENGTH.of(a), FFN)
                    .putInt(MetadataKey.ATTENTION_HEAD_COUNT.of(a), HEADS)
                    .putFloat(MetadataKey.ATTENTION_LAYER_NORM_EPSILON.of(a), 1e-5f);
        } else {
            m.putInt(MetadataKey.CONTEXT_LENGTH.of(a), CONTEXT).putInt(MetadataKey.EMBEDDING_LENGTH.of(a), DIM)
                    .putInt(MetadataKey.BLOCK_COUNT.of(a), LAYERS).putInt(MetadataKey.FEED_FORWARD_LENGTH.of(a), FFN)
                    .putInt(MetadataKey.ATTENTION_HEAD_COUNT.of(a), HEADS)
                    .putInt(MetadataKey.ATTENTION_HEAD_COUNT_KV.of(a), KV_HEADS)
                    .putFloat(MetadataKey.ATTENTION_LAYER_NORM_RMS_EPSILON.of(a), 1e-5f)
                    .putFloat(MetadataKey.ROPE_FREQ_BASE.of(a), ropeBase())
                    .putInt(MetadataKey.ROPE_DIMENSION_COUNT.of(a), c.headDim())
                    .putInt(MetadataKey.VOCAB_SIZE.of(a), vocab());
            if (c.headDim() * HEADS != DIM) {
                m.putInt(MetadataKey.ATTENTION_KEY_LENGTH.of(a), c.headDim())
                        .putInt(MetadataKey.ATTENTION_VALUE_LENGTH.of(a), c.headDim());
            }
            if (c.family().equals("phi3")) {
                m.putInt(a + ".attention.sliding_window", CONTEXT).putInt(a + ".rope.scaling.original_context_length", CONTEXT);
            }
            if (c.rope().equals("linear")) {
                m.putString(a + ".rope.scaling.type", "linear").putFloat(a + ".rope.scaling.factor", 4f);
            }
            if (c.rope().equals("llama3")) {
                // Basalt records the original context (32 here) so that the folder can be written back; llama.cpp
                // reads the key for YaRN only
                m.putInt(a + ".rope.scaling.original_context_length", 32);
            }
        }
        tokenizer.putGgufMetadata(m).putString(MetadataKey.TOKENIZER_CHAT_TEMPLATE.key(), TEMPLATE);
        GgufWriter w = new GgufWriter(m.build());
        DType matrices = c.dtype().ggml();
        for (Tensor t : tensors) {
            boolean f32 = t.rank() == 1 || t.name().equals(TensorKey.POSITION_EMBD.weight());
            w.addTensor(f32 ? t : Quantizer.tensor(t.name(), matrices, t.toFloatArray(), t.dims()));
        }
        w.write(file);
        return file;
    }

    float ropeBase() {
        return c.family().equals("llama") ? 10000f : 1e6f;
    }

    // ----------------------------------------------------------------------------------------------------------
    // The Hugging Face folder, as transformers' save_pretrained writes it

    Path writeFolder(Path folder) {
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        writeJson(folder.resolve("config.json"), config());
        ShardedSafetensorsWriter w = new ShardedSafetensorsWriter(c.shardBytes() > 0 ? c.shardBytes() : Long.MAX_VALUE)
                .metadata("format", "pt");
        for (Tensor t : tensors) {
            String name = hfName(t.name());
            if (name == null) continue;
            float[] v = t.toFloatArray();
            long rows = t.rows();
            long cols = t.cols();
            long[] shape = t.rank() == 1 ? new long[] {cols} : new long[] {rows, cols};
            if (conv1d(t.name())) {
                v = transpose(v, (int) rows, (int) cols);
                shape = new long[] {cols, rows};
            } else if (ropeRows(t.name())) {
                int heads = t.name().contains("attn_q") ? HEADS : KV_HEADS;
                v = LlamaRopeLayout.pairsToHalves(v, heads, c.headDim(), (int) cols);
            }
            DType type = t.rank() == 1 && c.dtype() == SafetensorsDType.F32 ? DType.F32 : c.dtype().ggml();
            w.add(name, SafetensorsDType.of(type), shape, java.lang.foreign.MemorySegment.ofArray(Quantizer.quantize(v, type)));
        }
        w.write(folder);
        writeTokenizer(folder);
        return folder;
    }

    ObjectNode config() {
        ObjectNode o = JSON.createObjectNode();
        String cls = switch (c.family()) {
            case "llama" -> "LlamaForCausalLM";
            case "mistral" -> "MistralForCausalLM";
            case "qwen2" -> "Qwen2ForCausalLM";
            case "qwen3" -> "Qwen3ForCausalLM";
            case "phi3" -> "Phi3ForCausalLM";
            default -> "GPT2LMHeadModel";
        };
        o.putArray("architectures").add(cls);
        o.put("model_type", c.family()).put("vocab_size", vocab()).put("tie_word_embeddings", c.tied())
                .put("torch_dtype", "float32");
        if (c.family().equals("gpt2")) {
            return o.put("n_embd", DIM).put("n_layer", LAYERS).put("n_head", HEADS).put("n_positions", CONTEXT)
                    .put("n_ctx", CONTEXT).put("n_inner", FFN).put("layer_norm_epsilon", 1e-5)
                    .put("activation_function", "gelu_new");
        }
        o.put("hidden_size", DIM).put("intermediate_size", FFN).put("num_hidden_layers", LAYERS)
                .put("num_attention_heads", HEADS).put("num_key_value_heads", KV_HEADS)
                .put("max_position_embeddings", CONTEXT).put("rms_norm_eps", 1e-5).put("rope_theta", (double) ropeBase())
                .put("hidden_act", "silu");
        if (c.headDim() * HEADS != DIM) o.put("head_dim", c.headDim());
        if (c.family().equals("phi3")) o.put("sliding_window", CONTEXT).put("original_max_position_embeddings", CONTEXT);
        switch (c.rope()) {
            case "linear" -> o.putObject("rope_scaling").put("type", "linear").put("factor", 4.0);
            case "llama3" -> o.putObject("rope_scaling").put("rope_type", "llama3").put("factor", 8.0)
                    .put("low_freq_factor", 1.0).put("high_freq_factor", 4.0).put("original_max_position_embeddings", 32);
            default -> o.putNull("rope_scaling");
        }
        return o;
    }

    /** tokenizer.json (or tokenizer.model) and tokenizer_config.json; padding slots are not the tokenizer's. */
    private void writeTokenizer(Path folder) {
        Vocabulary v = tokenizer.vocabulary();
        int real = v.size() - c.padding();
        ObjectNode settings = JSON.createObjectNode().put("add_eos_token", false).put("chat_template", TEMPLATE)
                .put("eos_token", v.token(v.eos()));
        if (c.sentencePiece()) {
            int spm = real - 1; // the last real token is Phi-3's added <|endoftext|>
            SentencePieceModelWriter.write(slice(v, spm, v.bos(), 2), folder.resolve("tokenizer.model"));
            settings.put("bos_token", v.token(v.bos())).put("tokenizer_class", "LlamaTokenizer");
            settings.putObject("added_tokens_decoder").putObject(String.valueOf(spm)).put("content", END_OF_TEXT)
                    .put("special", true).put("normalized", false);
        } else {
            ByteLevelBpeTokenizer bpe = (ByteLevelBpeTokenizer) tokenizer;
            HuggingFaceTokenizerJson.write(new ByteLevelBpeTokenizer(slice(v, real, v.bos(), v.eos()), bpe.merges(),
                    bpe.preTokenizer(), bpe.ignoresMerges()), folder.resolve("tokenizer.json"));
            settings.put("bos_token", v.token(v.bos())).put("add_bos_token", false)
                    .put("tokenizer_class", "PreTrainedTokenizerFast");
        }
        writeJson(folder.resolve("tokenizer_config.json"), settings);
    }

    private static Vocabulary slice(Vocabulary v, int n, int bos, int eos) {
        return new Vocabulary(Arrays.copyOf(v.tokens(), n), Arrays.copyOf(v.scores(), n), Arrays.copyOf(v.types(), n),
                bos, eos, v.unk(), v.pad(), v.addBos(), v.addEos(), v.addSpacePrefix());
    }

    private String hfName(String gguf) {
        if (gguf.equals(TensorKey.ROPE_FREQS.weight())) return null;
        if (gguf.equals(TensorKey.OUTPUT.weight())) return "lm_head.weight";
        if (c.family().equals("gpt2")) {
            String t = c.bareGpt2() ? "" : "transformer.";
            String n = gguf.replace("token_embd.", t + "wte.").replace("position_embd.", t + "wpe.")
                    .replace("output_norm.", t + "ln_f.")
                    .replaceAll("^blk\\.(\\d+)\\.", t + "h.$1.")
                    .replace(".attn_norm.", ".ln_1.").replace(".attn_qkv.", ".attn.c_attn.")
                    .replace(".attn_output.", ".attn.c_proj.").replace(".ffn_norm.", ".ln_2.")
                    .replace(".ffn_up.", ".mlp.c_fc.").replace(".ffn_down.", ".mlp.c_proj.");
            return n;
        }
        boolean phi3 = c.family().equals("phi3");
        return gguf.replace("token_embd.", "model.embed_tokens.").replace("output_norm.", "model.norm.")
                .replaceAll("^blk\\.(\\d+)\\.", "model.layers.$1.")
                .replace(".attn_norm.", ".input_layernorm.").replace(".attn_q.", ".self_attn.q_proj.")
                .replace(".attn_k.", ".self_attn.k_proj.").replace(".attn_v.", ".self_attn.v_proj.")
                .replace(".attn_qkv.", ".self_attn.qkv_proj.").replace(".attn_q_norm.", ".self_attn.q_norm.")
                .replace(".attn_k_norm.", ".self_attn.k_norm.").replace(".attn_output.", ".self_attn.o_proj.")
                .replace(".ffn_norm.", ".post_attention_layernorm.").replace(".ffn_gate.", ".mlp.gate_proj.")
                .replace(".ffn_up.", phi3 ? ".mlp.gate_up_proj." : ".mlp.up_proj.").replace(".ffn_down.", ".mlp.down_proj.");
    }

    private boolean conv1d(String gguf) {
        return c.family().equals("gpt2") && gguf.endsWith(".weight")
                && (gguf.contains("attn_qkv") || gguf.contains("attn_output") || gguf.contains("ffn_"))
                && !gguf.contains("ffn_norm");
    }

    private boolean ropeRows(String gguf) {
        return c.ggufArch().equals("llama") && (gguf.endsWith("attn_q.weight") || gguf.endsWith("attn_k.weight"));
    }

    private static float[] transpose(float[] a, int rows, int cols) {
        float[] t = new float[a.length];
        for (int r = 0; r < rows; r++) for (int col = 0; col < cols; col++) t[col * rows + r] = a[r * cols + col];
        return t;
    }

    private static void writeJson(Path file, ObjectNode node) {
        try {
            Files.writeString(file, JSON.writeValueAsString(node));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ----------------------------------------------------------------------------------------------------------
    // Tokenizers and weights

    private static Tokenizer bpe(int padding) {
        Vocabulary v = BPE.vocabulary();
        return new ByteLevelBpeTokenizer(padded(v, padding), BPE.merges(), BPE.preTokenizer(), BPE.ignoresMerges());
    }

    /** A byte-fallback SentencePiece vocabulary plus Phi-3's added {@code <|endoftext|>} (the EOS), then padding. */
    private static Tokenizer sentencePiece(int padding) {
        List<String> tokens = new ArrayList<>(List.of("<unk>", "<s>", "</s>"));
        List<TokenType> types = new ArrayList<>(List.of(TokenType.UNKNOWN, TokenType.CONTROL, TokenType.CONTROL));
        for (int b = 0; b < 256; b++) {
            tokens.add(String.format("<0x%02X>", b));
            types.add(TokenType.BYTE);
        }
        for (String piece : List.of("▁", "e", "t", "▁t", "he", "▁the", "a", "▁a", "c", "at", "▁c", "▁cat", "s", "▁s",
                "▁sat")) {
            tokens.add(piece);
            types.add(TokenType.NORMAL);
        }
        tokens.add(END_OF_TEXT);
        types.add(TokenType.CONTROL);
        float[] scores = new float[tokens.size()];
        for (int i = 259; i < tokens.size() - 1; i++) scores[i] = -(i - 259);
        Vocabulary v = new Vocabulary(tokens.toArray(String[]::new), scores, types.toArray(TokenType[]::new), 1,
                tokens.size() - 1, 0, -1, true, false, true);
        return new SentencePieceBpeTokenizer(padded(v, padding));
    }

    private static Vocabulary padded(Vocabulary v, int padding) {
        int n = v.size() + padding;
        String[] tokens = Arrays.copyOf(v.tokens(), n);
        TokenType[] types = Arrays.copyOf(v.types(), n);
        for (int i = v.size(); i < n; i++) {
            tokens[i] = "[PAD" + i + "]";
            types[i] = TokenType.UNUSED;
        }
        return new Vocabulary(tokens, Arrays.copyOf(v.scores(), n), types, v.bos(), v.eos(), v.unk(), v.pad(),
                v.addBos(), v.addEos(), v.addSpacePrefix());
    }

    /** Random weights in GGUF names and layout, as ArchitectureConformanceTest draws them (basalt-generate). */
    private List<Tensor> weights(SplittableRandom r) {
        List<Tensor> t = new ArrayList<>();
        int hd = c.headDim();
        int q = HEADS * hd;
        int kv = KV_HEADS * hd;
        boolean gpt2 = c.family().equals("gpt2");
        if (c.rope().equals("llama3")) {
            t.add(Tensor.ofFloats(TensorKey.ROPE_FREQS.weight(), llama3Factors(hd, ropeBase()), hd / 2));
        }
        t.add(matrix(TensorKey.TOKEN_EMBD.weight(), DIM, vocab(), 0.2, r));
        if (gpt2) t.add(matrix(TensorKey.POSITION_EMBD.weight(), DIM, CONTEXT, 0.2, r));
        for (int l = 0; l < LAYERS; l++) {
            t.add(vector(TensorKey.ATTN_NORM.weight(l), DIM, 1, 0.2, r));
            if (gpt2) {
                t.add(vector(TensorKey.ATTN_NORM.bias(l), DIM, 0, 0.2, r));
                t.add(matrix(TensorKey.ATTN_QKV.weight(l), DIM, 3 * DIM, 2 / Math.sqrt(DIM), r));
                t.add(vector(TensorKey.ATTN_QKV.bias(l), 3 * DIM, 0, 0.2, r));
                t.add(matrix(TensorKey.ATTN_OUTPUT.weight(l), DIM, DIM, 1 / Math.sqrt(DIM), r));
                t.add(vector(TensorKey.ATTN_OUTPUT.bias(l), DIM, 0, 0.2, r));
                t.add(vector(TensorKey.FFN_NORM.weight(l), DIM, 1, 0.2, r));
                t.add(vector(TensorKey.FFN_NORM.bias(l), DIM, 0, 0.2, r));
                t.add(matrix(TensorKey.FFN_UP.weight(l), DIM, FFN, 1 / Math.sqrt(DIM), r));
                t.add(vector(TensorKey.FFN_UP.bias(l), FFN, 0, 0.2, r));
                t.add(matrix(TensorKey.FFN_DOWN.weight(l), FFN, DIM, 1 / Math.sqrt(FFN), r));
                t.add(vector(TensorKey.FFN_DOWN.bias(l), DIM, 0, 0.2, r));
                continue;
            }
            if (c.family().equals("phi3")) {
                t.add(matrix(TensorKey.ATTN_QKV.weight(l), DIM, q + 2 * kv, 2 / Math.sqrt(DIM), r));
            } else {
                t.add(matrix(TensorKey.ATTN_Q.weight(l), DIM, q, 2 / Math.sqrt(DIM), r));
                t.add(matrix(TensorKey.ATTN_K.weight(l), DIM, kv, 2 / Math.sqrt(DIM), r));
                t.add(matrix(TensorKey.ATTN_V.weight(l), DIM, kv, 1 / Math.sqrt(DIM), r));
            }
            if (c.family().equals("qwen2")) {
                t.add(vector(TensorKey.ATTN_Q.bias(l), q, 0, 0.5, r));
                t.add(vector(TensorKey.ATTN_K.bias(l), kv, 0, 0.5, r));
                t.add(vector(TensorKey.ATTN_V.bias(l), kv, 0, 0.5, r));
            }
            if (c.family().equals("qwen3")) {
                t.add(vector(TensorKey.ATTN_Q_NORM.weight(l), hd, 1, 0.2, r));
                t.add(vector(TensorKey.ATTN_K_NORM.weight(l), hd, 1, 0.2, r));
            }
            t.add(matrix(TensorKey.ATTN_OUTPUT.weight(l), q, DIM, 1 / Math.sqrt(q), r));
            t.add(vector(TensorKey.FFN_NORM.weight(l), DIM, 1, 0.2, r));
            if (c.family().equals("phi3")) {
                t.add(matrix(TensorKey.FFN_UP.weight(l), DIM, 2 * FFN, 1 / Math.sqrt(DIM), r));
            } else {
                t.add(matrix(TensorKey.FFN_GATE.weight(l), DIM, FFN, 1 / Math.sqrt(DIM), r));
                t.add(matrix(TensorKey.FFN_UP.weight(l), DIM, FFN, 1 / Math.sqrt(DIM), r));
            }
            t.add(matrix(TensorKey.FFN_DOWN.weight(l), FFN, DIM, 1 / Math.sqrt(FFN), r));
        }
        t.add(vector(TensorKey.OUTPUT_NORM.weight(), DIM, c.tied() ? 8 : 1, 0.2, r));
        if (gpt2) t.add(vector(TensorKey.OUTPUT_NORM.bias(), DIM, 0, 0.2, r));
        if (!c.tied()) t.add(matrix(TensorKey.OUTPUT.weight(), DIM, vocab(), 0.5, r));
        return t;
    }

    /** Llama 3's divisors for factor 8, frequency factors 1 and 4, original context 32, in double (the test's own). */
    static float[] llama3Factors(int headDim, float base) {
        double factor = 8, low = 1, high = 4, original = 32;
        float[] out = new float[headDim / 2];
        for (int i = 0; i < out.length; i++) {
            double wavelength = 2 * Math.PI * Math.pow(base, 2.0 * i / headDim);
            if (wavelength < original / high) {
                out[i] = 1f;
            } else if (wavelength > original / low) {
                out[i] = (float) factor;
            } else {
                double smooth = (original / wavelength - low) / (high - low);
                out[i] = (float) (1 / ((1 - smooth) / factor + smooth));
            }
        }
        return out;
    }

    /** A (rows, cols) matrix N(0, std²), rounded to the checkpoint's dtype. */
    private Tensor matrix(String name, int cols, int rows, double std, SplittableRandom r) {
        float[] v = new float[cols * rows];
        for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextGaussian() * std);
        return Tensor.ofFloats(name, rounded(v), cols, rows);
    }

    private Tensor vector(String name, int n, double mean, double std, SplittableRandom r) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (mean + r.nextGaussian() * std);
        return Tensor.ofFloats(name, rounded(v), n);
    }

    private float[] rounded(float[] v) {
        DType type = c.dtype().ggml();
        return type == DType.F32 ? v : Quantizer.tensor("x", type, v, v.length).toFloatArray();
    }
}

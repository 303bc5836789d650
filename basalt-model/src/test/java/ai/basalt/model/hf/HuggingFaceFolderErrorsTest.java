package ai.basalt.model.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.basalt.format.gguf.GgufMetadata;
import ai.basalt.format.gguf.GgufWriter;
import ai.basalt.format.gguf.MetadataKey;
import ai.basalt.format.gguf.TensorKey;
import ai.basalt.format.safetensors.SafetensorsFile;
import ai.basalt.format.safetensors.SafetensorsTensorInfo;
import ai.basalt.format.safetensors.SafetensorsWriter;
import ai.basalt.model.ModelLoadException;
import ai.basalt.model.Models;
import ai.basalt.tensor.Tensor;
import ai.basalt.tokenizer.CharTokenizer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broken folder fails with one line naming the file and the field or tensor at fault, whatever is broken: the
 * config (missing, not JSON, a field missing, mistyped, out of range or unsupported), the weights (missing, a tensor
 * missing, left over, misshapen or of a type Basalt does not read) or the tokenizer. GGUF files that have no Hugging
 * Face form are refused the same way.
 */
class HuggingFaceFolderErrorsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Path folder;
    private RandomCheckpoint llama;

    @BeforeEach
    void validFolder() {
        llama = new RandomCheckpoint(RandomCheckpoint.of("llama"));
        folder = llama.writeFolder(dir.resolve("tiny-llama"));
        Models.load(folder).close(); // valid as written: each test breaks one thing
    }

    @Test
    void configProblemsNameConfigJsonAndTheField() throws IOException {
        Path config = folder.resolve("config.json");
        String fine = Files.readString(config);

        assertFails(config + ": not valid JSON (", () -> Files.writeString(config, "{\"hidden_size\": 64,"));
        assertFails(config + ": not a JSON object (found an array)", () -> Files.writeString(config, "[1, 2]"));
        assertFails(config + ": field 'num_attention_heads' is missing", () -> edit(fine, c -> c.remove("num_attention_heads")));
        assertFails(config + ": field 'hidden_size' is the string \"64\", a positive integer expected",
                () -> edit(fine, c -> c.put("hidden_size", "64")));
        assertFails(config + ": field 'num_hidden_layers' is 0, a positive integer expected",
                () -> edit(fine, c -> c.put("num_hidden_layers", 0)));
        assertFails(config + ": field 'intermediate_size' is 1.5, a positive integer expected",
                () -> edit(fine, c -> c.put("intermediate_size", 1.5)));
        assertFails(config + ": field 'rms_norm_eps' is -1.0, a positive number expected",
                () -> edit(fine, c -> c.put("rms_norm_eps", -1.0)));
        assertFails(config + ": field 'tie_word_embeddings' is the string \"no\", true or false expected",
                () -> edit(fine, c -> c.put("tie_word_embeddings", "no")));
        assertFails(config + ": field 'architectures' names BertForMaskedLM, which Basalt does not run",
                () -> edit(fine, c -> c.putArray("architectures").add("BertForMaskedLM")));
        assertFails(config + ": field 'model_type' is 'bert', which Basalt does not run",
                () -> edit(fine, c -> { c.remove("architectures"); c.put("model_type", "bert"); }));
        assertFails(config + ": field 'num_key_value_heads' is 3, which does not divide num_attention_heads 4",
                () -> edit(fine, c -> c.put("num_key_value_heads", 3)));
        assertFails(config + ": field 'rope_scaling.rope_type' is 'yarn', which Basalt does not run for LlamaForCausalLM",
                () -> edit(fine, c -> c.putObject("rope_scaling").put("rope_type", "yarn").put("factor", 4.0)));
        assertFails(config + ": field 'rope_scaling.factor' is missing",
                () -> edit(fine, c -> c.putObject("rope_scaling").put("type", "linear")));
        assertFails(config + ": field 'attention_bias' is true; Basalt runs LlamaForCausalLM without Q/K/V biases",
                () -> edit(fine, c -> c.put("attention_bias", true)));
        assertFails(config + ": field 'hidden_act' is 'gelu'", () -> edit(fine, c -> c.put("hidden_act", "gelu")));
        assertFails(config + ": no such file (a Hugging Face model folder needs one)", () -> Files.delete(config));
    }

    @Test
    void weightProblemsNameTheFileAndTheTensor() throws IOException {
        Path weights = folder.resolve("model.safetensors");
        String down = "model.layers.1.mlp.down_proj.weight";

        assertFails(weights + ": tensor '" + down + "' is missing (a LlamaForCausalLM of this config.json has it)",
                () -> rewrite(weights, t -> t.name().equals(down) ? null : t));
        assertFails(weights + ": tensor '" + down + "' is F64; Basalt reads F32, F16 and BF16 weights",
                () -> rewrite(weights, t -> t.name().equals(down) ? asF64(t) : t));
        assertFails(weights + ": tensor 'model.layers.0.self_attn.q_proj.bias' has no place in a LlamaForCausalLM",
                () -> rewrite(weights, t -> t), new Tensor("model.layers.0.self_attn.q_proj.bias",
                        ai.basalt.tensor.DType.F32, new long[] {64}, MemorySegment.ofArray(new float[64])));
        assertFails(weights + ": tensor 'model.layers.0.mlp.gate_proj.weight' has shape [96, 64], expected [80, 64] "
                + "from config.json", () -> edit(Files.readString(folder.resolve("config.json")),
                        c -> c.put("intermediate_size", 80)));
        assertFails(folder + ": no model.safetensors or model.safetensors.index.json", () -> Files.delete(weights));
    }

    @Test
    void tokenizerProblemsNameTheFile() throws IOException {
        Path settings = folder.resolve("tokenizer_config.json");
        assertFails(settings + ": field 'bos_token' is '<s>', which is not in the vocabulary",
                () -> Files.writeString(settings, "{\"bos_token\": \"<s>\"}"));
        assertFails(settings + ": not valid JSON (", () -> Files.writeString(settings, "{"));
        Files.delete(settings);
        assertFails(folder + ": no tokenizer (tokenizer.json or tokenizer.model)",
                () -> Files.delete(folder.resolve("tokenizer.json")));
    }

    @Test
    void ggufFilesWithoutAHuggingFaceFormAreRefused() {
        Path bert = dir.resolve("bert.gguf");
        new GgufWriter(GgufMetadata.builder().putString(MetadataKey.GENERAL_ARCHITECTURE.key(), "bert").build()).write(bert);
        assertThatThrownBy(() -> HuggingFaceConverter.toHuggingFace(bert, dir.resolve("out"), null, 1 << 30))
                .isInstanceOf(ModelLoadException.class)
                .hasMessage(bert + ": architecture 'bert' has no Hugging Face class Basalt writes (it writes "
                        + "LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM, Phi3ForCausalLM, "
                        + "GPT2LMHeadModel)");

        RandomCheckpoint r = new RandomCheckpoint(RandomCheckpoint.of("llama3-rope"));
        Path odd = dir.resolve("odd-rope.gguf");
        r.writeGguf(odd);
        try (var f = ai.basalt.format.gguf.GgufFile.open(odd)) {
            GgufWriter w = new GgufWriter(f.metadata().toBuilder().remove("llama.rope.scaling.original_context_length").build());
            f.tensors().forEach(t -> w.addTensor(f.tensor(t.name())));
            w.write(dir.resolve("no-original.gguf"));
        }
        assertThatThrownBy(() -> HuggingFaceConverter.toHuggingFace(dir.resolve("no-original.gguf"), dir.resolve("out"),
                null, 1 << 30)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("no-original.gguf: tensor rope_freqs.weight is not Llama 3 RoPE scaling with "
                        + "low_freq_factor 1, high_freq_factor 4 and original_max_position_embeddings 8192");

        Path chars = dir.resolve("chars.gguf");
        GgufMetadata.Builder m = GgufMetadata.builder().putString(MetadataKey.GENERAL_ARCHITECTURE.key(), "llama");
        CharTokenizer letters = CharTokenizer.of('a', 'b', 'c', 'd');
        int vocab = letters.vocabulary().size();
        llamaHyperParameters(m, vocab);
        letters.putGgufMetadata(m);
        GgufWriter w = new GgufWriter(m.build());
        for (Tensor t : new RandomCheckpoint(RandomCheckpoint.of("llama")).tensors) {
            if (!t.name().startsWith("token_embd") && !t.name().equals(TensorKey.OUTPUT.weight())) w.addTensor(t);
        }
        w.addTensor(Tensor.ofFloats(TensorKey.TOKEN_EMBD.weight(), new float[vocab * 64], 64, vocab));
        w.write(chars);
        assertThatThrownBy(() -> HuggingFaceConverter.toHuggingFace(chars, dir.resolve("out"), null, 1 << 30))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("CharTokenizer has no Hugging Face form");
        assertThat(dir.resolve("out")).doesNotExist();
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).as("no half-written folder left behind")
                    .allMatch(n -> !n.startsWith("."));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void llamaHyperParameters(GgufMetadata.Builder m, int vocab) {
        String a = "llama";
        m.putInt(MetadataKey.CONTEXT_LENGTH.of(a), 128).putInt(MetadataKey.EMBEDDING_LENGTH.of(a), 64)
                .putInt(MetadataKey.BLOCK_COUNT.of(a), 2).putInt(MetadataKey.FEED_FORWARD_LENGTH.of(a), 96)
                .putInt(MetadataKey.ATTENTION_HEAD_COUNT.of(a), 4).putInt(MetadataKey.ATTENTION_HEAD_COUNT_KV.of(a), 2)
                .putInt(MetadataKey.VOCAB_SIZE.of(a), vocab);
    }

    /** Breaks the folder with {@code breakIt}, then expects loading it to fail with one line starting {@code message}. */
    private void assertFails(String message, ThrowingRunnable breakIt) throws IOException {
        assertFails(message, breakIt, null);
    }

    private void assertFails(String message, ThrowingRunnable breakIt, Tensor extra) throws IOException {
        Map<Path, byte[]> snapshot = new HashMap<>();
        try (var files = Files.list(folder)) {
            for (Path f : files.toList()) snapshot.put(f, Files.readAllBytes(f));
        }
        extraTensor = extra;
        breakIt.run();
        extraTensor = null;
        assertThatThrownBy(() -> Models.load(folder).close()).isInstanceOf(ModelLoadException.class)
                .hasMessageStartingWith(message).hasMessageNotContaining("\n");
        assertThatThrownBy(() -> HuggingFaceConverter.toGguf(folder, dir.resolve("x.gguf"), null))
                .hasMessageStartingWith(message);
        assertThat(dir.resolve("x.gguf")).doesNotExist();
        for (Map.Entry<Path, byte[]> e : snapshot.entrySet()) Files.write(e.getKey(), e.getValue());
    }

    private Tensor extraTensor;

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws IOException;
    }

    private void edit(String fine, Consumer<ObjectNode> change) throws IOException {
        ObjectNode c = (ObjectNode) JSON.readTree(fine);
        change.accept(c);
        Files.writeString(folder.resolve("config.json"), JSON.writeValueAsString(c));
    }

    /** Rewrites the safetensors file with each tensor {@code change}d (null drops it), plus {@link #extraTensor}. */
    private void rewrite(Path file, Function<Tensor, Tensor> change) throws IOException {
        SafetensorsWriter w = new SafetensorsWriter();
        Path copy = dir.resolve("copy.safetensors");
        Files.copy(file, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        try (SafetensorsFile f = SafetensorsFile.open(copy)) {
            for (SafetensorsTensorInfo info : f.tensors()) {
                Tensor t = change.apply(f.tensor(info.name()));
                if (t != null) w.add(t);
            }
            if (extraTensor != null) w.add(extraTensor);
            w.write(file);
        }
    }

    private static Tensor asF64(Tensor t) {
        float[] v = t.toFloatArray();
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = v[i];
        return new Tensor(t.name(), ai.basalt.tensor.DType.F64, t.dims(), MemorySegment.ofArray(d));
    }
}

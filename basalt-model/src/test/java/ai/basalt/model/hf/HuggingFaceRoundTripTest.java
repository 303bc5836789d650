package ai.basalt.model.hf;

import static org.assertj.core.api.Assertions.assertThat;

import ai.basalt.format.gguf.GgufFile;
import ai.basalt.format.gguf.GgufTensorInfo;
import ai.basalt.format.safetensors.SafetensorsDType;
import ai.basalt.format.safetensors.SafetensorsIndex;
import ai.basalt.format.safetensors.SafetensorsTensorInfo;
import ai.basalt.format.safetensors.ShardedSafetensors;
import ai.basalt.model.quantize.GgufQuantizer;
import ai.basalt.model.quantize.QuantizeType;
import ai.basalt.tensor.DType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * GGUF to Hugging Face: the folder written from the reference GGUF is the one the test writes the way
 * {@code transformers} saves it (names, shapes, values, config fields), and converting it back gives the reference
 * file's tensors and metadata again. A quantized file comes out dequantized.
 */
class HuggingFaceRoundTripTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    static List<String> cases() {
        return RandomCheckpoint.CASES;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void ggufToFolderIsWhatTransformersSavesAndConvertsBackToTheSameFile(String name) throws IOException {
        RandomCheckpoint r = new RandomCheckpoint(RandomCheckpoint.of(name));
        Path reference = r.writeGguf(dir.resolve("reference.gguf"));
        Path out = dir.resolve("out");
        long shard = r.c.shardBytes() > 0 ? r.c.shardBytes() : HuggingFaceConverter.DEFAULT_SHARD_BYTES;
        HuggingFaceConverter.Summary summary = HuggingFaceConverter.toHuggingFace(reference, out, null, shard);
        assertThat(summary.type().dtype()).isEqualTo(r.c.dtype().ggml());
        assertThat(Files.exists(out.resolve(SafetensorsIndex.FILE_NAME))).as("sharded").isEqualTo(r.c.shardBytes() > 0);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).as("nothing left beside the output")
                    .containsExactlyInAnyOrder("reference.gguf", "out");
        }

        Path expected = r.writeFolder(dir.resolve("expected"));
        try (ShardedSafetensors got = ShardedSafetensors.open(out); ShardedSafetensors want = ShardedSafetensors.open(expected)) {
            List<String> wantNames = want.names().stream().map(n -> r.c.bareGpt2() && !n.startsWith("lm_head")
                    ? "transformer." + n : n).sorted().toList();
            assertThat(got.names()).containsExactlyElementsOf(wantNames);
            for (String n : want.names()) {
                String g = r.c.bareGpt2() && !n.startsWith("lm_head") ? "transformer." + n : n;
                SafetensorsTensorInfo gi = got.info(g);
                assertThat(gi.shape()).as(n).containsExactly(want.info(n).shape());
                assertThat(gi.dtype()).as(n).isEqualTo(r.c.dtype());
                assertThat(got.tensor(g).toFloatArray()).as(n).containsExactly(want.tensor(n).toFloatArray());
            }
        }
        JsonNode config = JSON.readTree(out.resolve("config.json").toFile());
        ObjectNode want = r.config();
        if (r.c.family().equals("mistral")) {
            // GGUF keeps Mistral as llama (convert_hf_to_gguf.py's choice): it comes back as the Llama it is
            want.put("model_type", "llama").putArray("architectures").add("LlamaForCausalLM");
        }
        assertSameFields(config, want, "");
        assertThat(config.path("torch_dtype").asText()).isEqualTo(switch (r.c.dtype()) {
            case F16 -> "float16";
            case BF16 -> "bfloat16";
            default -> "float32";
        });
        JsonNode settings = JSON.readTree(out.resolve("tokenizer_config.json").toFile());
        assertThat(settings.path("chat_template").asText()).isEqualTo(RandomCheckpoint.TEMPLATE);
        assertThat(out.resolve(r.c.sentencePiece() ? "tokenizer.model" : "tokenizer.json")).exists();

        Path back = dir.resolve("back.gguf");
        HuggingFaceConverter.toGguf(out, back, null);
        try (GgufFile ref = GgufFile.open(reference); GgufFile again = GgufFile.open(back)) {
            for (String key : ref.metadata().keys()) {
                if (key.equals("general.name")) continue;
                assertThat(again.metadata().raw(key)).as(key).isEqualTo(ref.metadata().raw(key));
            }
            HuggingFaceFolderTest.assertSameTensors(again, ref);
        }
    }

    /** Every field of {@code want} is in {@code got} with the same value; numbers compared as float32. */
    private static void assertSameFields(JsonNode got, JsonNode want, String where) {
        for (Map.Entry<String, JsonNode> e : want.properties()) {
            String field = where + e.getKey();
            if (field.equals("torch_dtype")) continue;
            JsonNode g = got.get(e.getKey());
            assertThat(g).as(field).isNotNull();
            JsonNode w = e.getValue();
            if (w.isObject()) {
                assertSameFields(g, w, field + ".");
            } else if (w.isNumber()) {
                assertThat((float) g.asDouble()).as(field).isEqualTo((float) w.asDouble());
            } else {
                assertThat(g).as(field).isEqualTo(w);
            }
        }
    }

    @Test
    void aQuantizedFileIsWrittenDequantizedInF32() {
        RandomCheckpoint r = new RandomCheckpoint(RandomCheckpoint.of("llama"));
        Path q8 = dir.resolve("q8.gguf");
        GgufQuantizer.quantize(r.writeGguf(dir.resolve("reference.gguf")), q8, QuantizeType.Q8_0, (e, d, t) -> {});
        Path out = dir.resolve("out");
        HuggingFaceConverter.Summary s = HuggingFaceConverter.toHuggingFace(q8, out, null,
                HuggingFaceConverter.DEFAULT_SHARD_BYTES);
        assertThat(s.type()).isEqualTo(HuggingFaceConverter.FloatType.F32);
        Path back = dir.resolve("back.gguf");
        HuggingFaceConverter.toGguf(out, back, null);
        try (GgufFile quantized = GgufFile.open(q8); GgufFile again = GgufFile.open(back)) {
            assertThat(quantized.tensors().stream().filter(t -> t.type() == DType.Q8_0)).as("quantized").isNotEmpty();
            for (GgufTensorInfo t : quantized.tensors()) {
                assertThat(again.findTensor(t.name()).orElseThrow().type()).as(t.name()).isEqualTo(DType.F32);
                assertThat(again.tensor(t.name()).toFloatArray()).as(t.name())
                        .containsExactly(quantized.tensor(t.name()).toFloatArray());
            }
        }
    }

    @Test
    void anExplicitTypeReencodesEveryTensor() throws IOException {
        RandomCheckpoint r = new RandomCheckpoint(RandomCheckpoint.of("qwen3"));
        Path out = dir.resolve("out");
        HuggingFaceConverter.toHuggingFace(r.writeGguf(dir.resolve("reference.gguf")), out,
                HuggingFaceConverter.FloatType.BF16, HuggingFaceConverter.DEFAULT_SHARD_BYTES);
        try (ShardedSafetensors got = ShardedSafetensors.open(out)) {
            for (String n : got.names()) assertThat(got.info(n).dtype()).as(n).isEqualTo(SafetensorsDType.BF16);
        }
        assertThat(JSON.readTree(out.resolve("config.json").toFile()).path("torch_dtype").asText()).isEqualTo("bfloat16");
        Path back = dir.resolve("back.gguf");
        HuggingFaceConverter.toGguf(out, back, HuggingFaceConverter.FloatType.F16);
        try (GgufFile f = GgufFile.open(back)) {
            assertThat(f.metadata().getInt("general.file_type")).isEqualTo(1);
            for (GgufTensorInfo t : f.tensors()) {
                assertThat(t.type()).as(t.name()).isEqualTo(t.dims().length == 1 ? DType.F32 : DType.F16);
            }
        }
    }
}

package ai.basalt.format.safetensors;

import static ai.basalt.format.safetensors.SafetensorsBytes.f32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sharded checkpoints: written into shards with an index as Hugging Face does, and read back through it. */
class ShardedSafetensorsTest {
    @TempDir
    Path dir;

    private static ShardedSafetensorsWriter threeTensors(long maxShardBytes) {
        return new ShardedSafetensorsWriter(maxShardBytes).metadata("format", "pt")
                .add("model.embed.weight", SafetensorsDType.F32, new long[] {2, 2}, java.lang.foreign.MemorySegment.ofArray(f32(1, 2, 3, 4)))
                .add("model.norm.weight", SafetensorsDType.F32, new long[] {2}, java.lang.foreign.MemorySegment.ofArray(f32(5, 6)))
                .add("lm_head.weight", SafetensorsDType.F32, new long[] {2, 2}, java.lang.foreign.MemorySegment.ofArray(f32(7, 8, 9, 10)));
    }

    @Test
    void tensorsFillShardsInOrderAndTheIndexMapsThem() throws IOException {
        SafetensorsIndex index = threeTensors(24).write(dir);
        assertThat(index.totalSize()).isEqualTo(40);
        assertThat(index.weightMap()).containsExactly(
                Map.entry("lm_head.weight", "model-00002-of-00002.safetensors"),
                Map.entry("model.embed.weight", "model-00001-of-00002.safetensors"),
                Map.entry("model.norm.weight", "model-00001-of-00002.safetensors"));
        assertThat(Files.readString(dir.resolve(SafetensorsIndex.FILE_NAME))).isEqualTo("""
                {
                  "metadata": {
                    "total_size": 40
                  },
                  "weight_map": {
                    "lm_head.weight": "model-00002-of-00002.safetensors",
                    "model.embed.weight": "model-00001-of-00002.safetensors",
                    "model.norm.weight": "model-00001-of-00002.safetensors"
                  }
                }
                """);
        assertThat(SafetensorsIndex.read(dir.resolve(SafetensorsIndex.FILE_NAME))).isEqualTo(index);
        try (ShardedSafetensors model = ShardedSafetensors.open(dir)) {
            assertThat(model.names()).containsExactly("lm_head.weight", "model.embed.weight", "model.norm.weight");
            assertThat(model.shards()).hasSize(2);
            assertThat(model.tensor("lm_head.weight").toFloatArray()).containsExactly(7, 8, 9, 10);
            assertThat(model.tensor("model.norm.weight").toFloatArray()).containsExactly(5, 6);
            assertThat(model.shardOf("model.embed.weight").metadata()).containsEntry("format", "pt");
            assertThat(model.bytes("model.embed.weight").get(ValueLayout.JAVA_BYTE, 3)).isEqualTo((byte) 0x3F);
            assertThatThrownBy(() -> model.info("nope")).isInstanceOf(SafetensorsFormatException.class)
                    .hasMessageContaining("no tensor 'nope' among its 3 tensors");
        }
    }

    @Test
    void aCheckpointThatFitsOneShardIsASingleFileWithoutIndex() {
        threeTensors(1 << 20).write(dir);
        assertThat(dir.resolve(SafetensorsIndex.FILE_NAME)).doesNotExist();
        try (ShardedSafetensors model = ShardedSafetensors.open(dir)) {
            assertThat(model.path()).isEqualTo(dir.resolve(ShardedSafetensors.SINGLE_FILE));
            assertThat(model.names()).hasSize(3);
        }
    }

    @Test
    void aTensorLargerThanTheShardSizeGetsAShardOfItsOwn() {
        SafetensorsIndex index = threeTensors(4).write(dir);
        assertThat(index.weightMap().values()).containsExactlyInAnyOrder("model-00001-of-00003.safetensors",
                "model-00002-of-00003.safetensors", "model-00003-of-00003.safetensors");
    }

    @Test
    void indexThatPointsAtTheWrongShardIsRejected() throws IOException {
        threeTensors(24).write(dir);
        Path index = dir.resolve(SafetensorsIndex.FILE_NAME);
        Files.writeString(index, Files.readString(index).replace("\"lm_head.weight\": \"model-00002",
                "\"lm_head.weight\": \"model-00001"));
        assertThatThrownBy(() -> ShardedSafetensors.open(index)).isInstanceOf(SafetensorsFormatException.class)
                .hasMessage(index + ": tensor 'lm_head.weight' is mapped to shard 'model-00001-of-00002.safetensors', "
                        + "which does not hold it");
    }

    @Test
    void malformedIndexesAreRejected() throws IOException {
        Path index = dir.resolve(SafetensorsIndex.FILE_NAME);
        String[][] cases = {
            {"[]", "index is not a JSON object"},
            {"{\"metadata\":{}}", "index has no \"weight_map\""},
            {"{\"weight_map\":[]}", "index \"weight_map\" is not an object"},
            {"{\"weight_map\":{\"a\":1}}", "index \"weight_map\" entry 'a' is not a string"},
            {"{\"weight_map\":{\"a\":\"../x.safetensors\"}}", "names '../x.safetensors', not a plain file name"},
            {"{\"weight_map\":{\"a\":\"/etc/passwd\"}}", "not a plain file name"},
            {"{\"weight_map\":{\"a\":\"x\",\"a\":\"y\"}}", "Duplicate field 'a'"},
            {"{\"metadata\":{\"total_size\":-1},\"weight_map\":{}}", "index \"total_size\" is -1"},
            {"{\"weight_map\":{}", "index is not valid JSON"},
        };
        for (String[] c : cases) {
            Files.writeString(index, c[0]);
            assertThatThrownBy(() -> ShardedSafetensors.open(dir)).as(c[0])
                    .isInstanceOf(SafetensorsFormatException.class)
                    .hasMessageStartingWith(index + ": ").hasMessageContaining(c[1]);
        }
        Files.writeString(index, "{\"weight_map\":{\"a\":\"missing.safetensors\"}}");
        assertThatThrownBy(() -> ShardedSafetensors.open(dir)).isInstanceOf(java.io.UncheckedIOException.class)
                .hasMessageContaining("missing.safetensors: cannot read safetensors file (no such file)");
    }

    @Test
    void totalSizeWrittenAsAFloatIsAccepted() throws IOException {
        Path index = dir.resolve("x.index.json");
        Files.writeString(index, "{\"metadata\":{\"total_size\":40.0},\"weight_map\":{}}");
        assertThat(SafetensorsIndex.read(index).totalSize()).isEqualTo(40);
    }
}

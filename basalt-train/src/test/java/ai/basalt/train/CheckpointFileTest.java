package ai.basalt.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.basalt.nn.ParamKind;
import ai.basalt.train.data.BatchLoader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointFileTest {
    @TempDir
    Path dir;

    static Checkpoint sample(Path dir) {
        TrainingConfig config = TrainingFixtures.config(dir.resolve("data"), dir.resolve("out"), 40);
        SplittableRandom r = new SplittableRandom(7);
        byte[] fingerprint = new byte[32];
        for (int i = 0; i < 32; i++) fingerprint[i] = (byte) r.nextInt(256);
        Checkpoint.Header h = new Checkpoint.Header(config, config.modelSpec(37), fingerprint,
                new Checkpoint.ShardIdentity(5000, 0x89abcdef), new Checkpoint.ShardIdentity(500, 42), 17, 17 * 128,
                3.25, new BatchLoader.State(BatchLoader.Mode.RANDOM, -1234567890123L, 0, 34),
                new BatchLoader.State(BatchLoader.Mode.RANDOM, 99, 0, 12), null, Long.MIN_VALUE, 0x7fffffffffffL,
                new Evaluation(15, 2.125f, Float.NaN));
        List<Checkpoint.Tensor> tensors = List.of(tensor(r, "token_embd.weight", ParamKind.EMBEDDING, 37, 8),
                tensor(r, "output.weight", ParamKind.WEIGHT, 37, 8), tensor(r, "output.bias", ParamKind.BIAS, 37));
        return new Checkpoint(h, tensors);
    }

    private static Checkpoint.Tensor tensor(SplittableRandom r, String name, ParamKind kind, int... shape) {
        int n = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        float[][] a = new float[3][n];
        for (float[] x : a) for (int i = 0; i < n; i++) x[i] = (float) r.nextGaussian();
        a[0][0] = Float.MIN_VALUE; // denormals and signed zero survive
        a[1][0] = -0f;
        return new Checkpoint.Tensor(name, kind, shape, r.nextInt(100), a[0], a[1], a[2]);
    }

    @Test
    void roundTripsEveryFieldAndEveryBit() throws Exception {
        Checkpoint c = sample(dir);
        Path file = dir.resolve("checkpoint.bin");
        CheckpointFile.write(file, c);
        Checkpoint back = CheckpointFile.read(file);

        Checkpoint.Header h = c.header();
        Checkpoint.Header b = back.header();
        assertThat(b.config()).isEqualTo(h.config());
        assertThat(b.spec()).isEqualTo(h.spec());
        assertThat(b.tokenizerFingerprint()).isEqualTo(h.tokenizerFingerprint());
        assertThat(b.trainData()).isEqualTo(h.trainData());
        assertThat(b.validationData()).isEqualTo(h.validationData());
        assertThat(b.step()).isEqualTo(17);
        assertThat(b.tokensSeen()).isEqualTo(h.tokensSeen());
        assertThat(b.elapsedSeconds()).isEqualTo(3.25);
        assertThat(b.trainLoader()).isEqualTo(h.trainLoader());
        assertThat(b.evalTrainLoader()).isEqualTo(h.evalTrainLoader());
        assertThat(b.evalValidationLoader()).isNull();
        assertThat(b.initRng()).isEqualTo(Long.MIN_VALUE);
        assertThat(b.dropoutRng()).isEqualTo(0x7fffffffffffL);
        assertThat(b.lastEvaluation().step()).isEqualTo(15);
        assertThat(b.lastEvaluation().trainLoss()).isEqualTo(2.125f);
        assertThat(b.lastEvaluation().validationLoss()).isNaN();
        assertThat(back.tensors()).hasSize(3);
        for (int i = 0; i < 3; i++) {
            Checkpoint.Tensor t = c.tensors().get(i);
            Checkpoint.Tensor u = back.tensors().get(i);
            assertThat(u.name()).isEqualTo(t.name());
            assertThat(u.kind()).isEqualTo(t.kind());
            assertThat(u.shape()).isEqualTo(t.shape());
            assertThat(u.adamStep()).isEqualTo(t.adamStep());
            assertThat(bits(u.values())).isEqualTo(bits(t.values()));
            assertThat(bits(u.expAvg())).isEqualTo(bits(t.expAvg()));
            assertThat(bits(u.expAvgSq())).isEqualTo(bits(t.expAvgSq()));
        }
        assertThat(CheckpointFile.readHeader(file).config()).isEqualTo(h.config());
        try (var files = java.nio.file.Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("checkpoint.bin"); // no temp left
        }
    }

    static int[] bits(float[] x) {
        int[] b = new int[x.length];
        for (int i = 0; i < x.length; i++) b[i] = Float.floatToRawIntBits(x[i]);
        return b;
    }

    @Test
    void flippedBitIsAChecksumMismatch() throws Exception {
        Path file = dir.resolve("checkpoint.bin");
        CheckpointFile.write(file, sample(dir));
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 5] ^= 0x10; // inside the last moment block
        Files.write(file, bytes);
        assertThatThrownBy(() -> CheckpointFile.read(file)).isInstanceOf(CheckpointException.class)
                .hasMessageStartingWith(file + ": checksum mismatch").hasMessageEndingWith("the file is corrupt");
    }

    @Test
    void truncatedFileIsNamedAsTruncated() throws Exception {
        Path file = dir.resolve("checkpoint.bin");
        CheckpointFile.write(file, sample(dir));
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 100));
        assertThatThrownBy(() -> CheckpointFile.read(file)).isInstanceOf(CheckpointException.class)
                .hasMessageStartingWith(file + ": " + (bytes.length - 100) + " bytes, but its preamble announces")
                .hasMessageEndingWith("(truncated)");
        Files.write(file, Arrays.copyOf(bytes, 20));
        assertThatThrownBy(() -> CheckpointFile.read(file))
                .hasMessage(file + ": 20 bytes, shorter than the 32-byte preamble (truncated or not a checkpoint)");
        Files.write(file, new byte[0]);
        assertThatThrownBy(() -> CheckpointFile.read(file)).hasMessageContaining("0 bytes");
    }

    @Test
    void otherVersionsAndOtherFilesAreRefused() throws Exception {
        Path file = dir.resolve("checkpoint.bin");
        CheckpointFile.write(file, sample(dir));
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 2);
        Files.write(file, bytes);
        assertThatThrownBy(() -> CheckpointFile.read(file)).isInstanceOf(CheckpointException.class)
                .hasMessage(file + ": checkpoint format version 2, this Basalt reads version 1");
        Path other = dir.resolve("other.bin");
        Files.write(other, "GGUF and then some more bytes than thirty-two".getBytes());
        assertThatThrownBy(() -> CheckpointFile.read(other)).hasMessageStartingWith(other
                + ": not a Basalt checkpoint (magic 'BSLTCKPT' expected, found 4747554620616e64)");
        assertThatThrownBy(() -> CheckpointFile.read(dir.resolve("none.bin")))
                .hasMessage(dir.resolve("none.bin") + ": no such checkpoint");
    }

    @Test
    void extraBytesAreCorruption() throws Exception {
        Path file = dir.resolve("checkpoint.bin");
        CheckpointFile.write(file, sample(dir));
        Files.write(file, new byte[3], java.nio.file.StandardOpenOption.APPEND);
        assertThatThrownBy(() -> CheckpointFile.read(file)).hasMessageContaining("3 more than its preamble announces");
    }
}

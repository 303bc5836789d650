package ai.basalt.model.quantize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.basalt.format.gguf.GgufFile;
import ai.basalt.format.gguf.GgufMetadata;
import ai.basalt.format.gguf.GgufTensorInfo;
import ai.basalt.format.gguf.MetadataKey;
import ai.basalt.model.InferenceState;
import ai.basalt.model.LanguageModel;
import ai.basalt.model.Models;
import ai.basalt.tensor.DType;
import ai.basalt.tensor.Quantizer;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Quantizes two random llama models to every {@link QuantizeType} and checks the result against llama.cpp's rules
 * as read in {@code src/llama-quant.cpp}, written out here independently of {@link QuantizationPlan}: the width-256,
 * 8-layer model takes the k-quants and the _M mixes; the width-64 model with a tied output forces every fallback.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GgufQuantizerTest {
    /**
     * Layers of an 8-layer model that llama.cpp's use_more_bits picks (i &lt; 8/8, i &ge; 7·8/8, (i − 1) mod 3 = 2),
     * worked out by hand: 0, 7, and 3 and 6.
     */
    private static final Set<Integer> MORE_BITS_OF_8 = Set.of(0, 3, 6, 7);
    private static final Pattern LAYER = Pattern.compile("^blk\\.(\\d+)\\.(\\w+)\\.weight$");
    /** Tokens fed to both engines when comparing logits. */
    private static final int[] TOKENS = {1, 72, 101, 108, 108, 111, 260, 33, 270 - 1, 44, 3, 200};

    @TempDir
    static Path dir;

    private Path wide;
    private Path narrow;

    @BeforeAll
    void writeModels() {
        wide = RandomLlama.wide().write(dir.resolve("wide-f32.gguf"));
        narrow = RandomLlama.narrow().write(dir.resolve("narrow-f32.gguf"));
    }

    /**
     * The type llama.cpp gives each tensor of a model with untied output whose rows are multiples of 256:
     * {@code moreBits} are the layers use_more_bits picks, {@code layers} the layer count.
     */
    private static DType expected(String name, QuantizeType target, Set<Integer> moreBits, int layers) {
        DType base = target.baseType();
        if (name.endsWith("_norm.weight")) return DType.F32;
        if (name.equals("output.weight")) return target == QuantizeType.Q8_0 ? DType.Q8_0 : DType.Q6_K;
        if (name.equals("token_embd.weight")) return base;
        Matcher m = LAYER.matcher(name);
        assertThat(m.matches()).as("layer tensor %s", name).isTrue();
        int layer = Integer.parseInt(m.group(1));
        String kind = m.group(2);
        boolean mix = target == QuantizeType.Q4_K_M || target == QuantizeType.Q5_K_M;
        if (kind.equals("attn_v") || kind.equals("ffn_down")) {
            if (mix && moreBits.contains(layer)) return DType.Q6_K;
            if (target == QuantizeType.Q4_K_S && kind.equals("attn_v") && layer < 4) return DType.Q5_K;
            if (target == QuantizeType.Q4_K_S && kind.equals("ffn_down") && layer < layers / 8) return DType.Q5_K;
        }
        return base;
    }

    /** The width-256, 8-layer model. */
    private static DType expectedWide(String name, QuantizeType target) {
        return expected(name, target, MORE_BITS_OF_8, 8);
    }

    /**
     * The width-64, 2-layer model: every row is 64 or 128 long, so k-quants fall back and the tied embedding gets
     * Q8_0. use_more_bits picks layer 1 of 2 (i &ge; 7·2/8 = 1).
     */
    private static DType expectedNarrow(String name, QuantizeType target) {
        if (name.endsWith("_norm.weight")) return DType.F32;
        if (name.equals("token_embd.weight")) return DType.Q8_0;
        return switch (expected(name, target, Set.of(1), 2)) {
            case Q4_K -> DType.Q5_0;
            case Q5_K -> DType.Q5_1;
            case Q6_K -> DType.Q8_0;
            case DType t -> t;
        };
    }

    @Test
    void q4KMTableForEightLayers() {
        QuantizationPlan plan = plan(wide, QuantizeType.Q4_K_M);
        List<String> q6k = plan.entries().stream().filter(e -> e.type() == DType.Q6_K).map(QuantizationPlan.Entry::name).toList();
        assertThat(q6k).containsExactlyInAnyOrder("output.weight",
                "blk.0.attn_v.weight", "blk.0.ffn_down.weight", "blk.3.attn_v.weight", "blk.3.ffn_down.weight",
                "blk.6.attn_v.weight", "blk.6.ffn_down.weight", "blk.7.attn_v.weight", "blk.7.ffn_down.weight");
        for (int layers = 1; layers <= 64; layers++) {
            for (int i = 0; i < layers; i++) {
                boolean firstOrLastEighth = i < layers / 8 || i >= 7 * layers / 8;
                boolean everyThird = i - layers / 8 >= 0 ? (i - layers / 8) % 3 == 2 : false;
                assertThat(QuantizationPlan.useMoreBits(i, layers)).as("layer %d of %d", i, layers)
                        .isEqualTo(firstOrLastEighth || everyThird);
            }
        }
    }

    @Test
    void tensorsAreWrittenModelWideFirstThenLayerByLayer() {
        List<String> names = plan(wide, QuantizeType.Q8_0).entries().stream().map(QuantizationPlan.Entry::name).toList();
        assertThat(names.subList(0, 4)).containsExactly("output.weight", "output_norm.weight", "token_embd.weight",
                "blk.0.attn_k.weight");
        assertThat(names.indexOf("blk.7.ffn_up.weight")).isEqualTo(names.size() - 1);
    }

    @ParameterizedTest
    @EnumSource(QuantizeType.class)
    void wideModelFollowsLlamaCppRules(QuantizeType target) throws Exception {
        Path out = dir.resolve("wide-" + target + ".gguf");
        GgufQuantizer.Summary summary = GgufQuantizer.quantize(wide, out, target, (e, done, total) -> {});
        checkFile(wide, out, target, name -> expectedWide(name, target));
        assertThat(summary.fallbacks()).isZero();
        assertThat(summary.bytesAfter()).isLessThan(summary.bytesBefore() / 3);
        assertThat(summary.fileSize()).isEqualTo(Files.size(out));
    }

    @ParameterizedTest
    @EnumSource(QuantizeType.class)
    void narrowModelFallsBack(QuantizeType target) {
        Path out = dir.resolve("narrow-" + target + ".gguf");
        GgufQuantizer.Summary summary = GgufQuantizer.quantize(narrow, out, target, (e, done, total) -> {});
        checkFile(narrow, out, target, name -> expectedNarrow(name, target));
        // every k-quant matrix falls back; under the legacy types only the tied embedding does (Q6_K to Q8_0)
        assertThat(summary.fallbacks() > 0).as("fallbacks counted").isEqualTo(target != QuantizeType.Q8_0);
    }

    /**
     * Logits of the quantized model stay near the F32 model's: relative L2 distance over 12 positions. Gaussian
     * weights are the hardest case for block quantizers and the error compounds over 8 layers; measured: Q8_0 0.022,
     * Q6_K 0.066, Q5_K_M 0.14, Q5_0 0.17, Q4_K_M 0.27, Q4_0 0.33. Bounds are about 2× those; a wrong scale, nibble
     * order or sign moves the logits by order 1 (unrelated random logits are at √2).
     */
    @ParameterizedTest
    @EnumSource(QuantizeType.class)
    void logitsStayCloseToF32(QuantizeType target) {
        Path out = dir.resolve("logits-" + target + ".gguf");
        GgufQuantizer.quantize(wide, out, target, (e, done, total) -> {});
        double distance = relativeLogitDistance(wide, out);
        System.out.printf("%s: relative logit distance to F32 %.4f%n", target, distance);
        double bound = switch (target) {
            case Q8_0 -> 0.05;
            case Q6_K -> 0.13;
            case Q5_0, Q5_1, Q5_K_S, Q5_K_M -> 0.35;
            case Q4_0, Q4_1, Q4_K_S, Q4_K_M -> 0.65;
        };
        assertThat(distance).isGreaterThan(0).isLessThan(bound);
    }

    @Test
    void quantizedInputIsDecodedAndReEncoded() {
        Path q8 = RandomLlama.wide().withMatrixType(DType.Q8_0).write(dir.resolve("wide-q8.gguf"));
        Path out = dir.resolve("wide-q8-to-q4km.gguf");
        GgufQuantizer.quantize(q8, out, QuantizeType.Q4_K_M, (e, done, total) -> {});
        checkFile(q8, out, QuantizeType.Q4_K_M, name -> expectedWide(name, QuantizeType.Q4_K_M));
        // Tensors already in the target type are copied, as llama.cpp does: output stays Q6_K from a Q6_K input.
        Path back = dir.resolve("wide-q8-to-q8.gguf");
        GgufQuantizer.quantize(q8, back, QuantizeType.Q8_0, (e, done, total) -> {});
        try (GgufFile a = GgufFile.open(q8); GgufFile b = GgufFile.open(back)) {
            for (GgufTensorInfo t : a.tensors()) {
                assertThat(b.tensor(t.name()).data().mismatch(a.tensor(t).data())).as(t.name()).isEqualTo(-1L);
            }
        }
    }

    /**
     * Rows of 80 (ffn_down of an FFN width of 80) fit no 32-block: a k-quant falls back to Q5_0/Q5_1/Q8_0 and then to
     * F16; the legacy types have no fallback and llama.cpp throws "Unsupported tensor size encountered".
     */
    @Test
    void rowsOfNoWholeBlockFallBackToF16OrAreRefused() {
        Path odd = new RandomLlama(64, 80, 2, 4, 2, true, DType.F32).write(dir.resolve("odd.gguf"));
        Path out = dir.resolve("odd-q4km.gguf");
        GgufQuantizer.quantize(odd, out, QuantizeType.Q4_K_M, (e, done, total) -> {});
        try (GgufFile f = GgufFile.open(out)) {
            assertThat(f.findTensor("blk.0.ffn_down.weight").orElseThrow().type()).isEqualTo(DType.F16);
            assertThat(f.findTensor("blk.1.ffn_down.weight").orElseThrow().type()).isEqualTo(DType.F16);
            assertThat(f.findTensor("blk.0.ffn_up.weight").orElseThrow().type()).isEqualTo(DType.Q5_0);
        }
        Path refused = dir.resolve("odd-q4_0.gguf");
        assertThatThrownBy(() -> GgufQuantizer.quantize(odd, refused, QuantizeType.Q4_0, (e, d, t) -> {}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("blk.0.ffn_down.weight").hasMessageContaining("no fallback");
        assertThat(refused).doesNotExist();
    }

    @Test
    void refusesToOverwriteItsInput() {
        assertThatThrownBy(() -> GgufQuantizer.quantize(wide, wide, QuantizeType.Q8_0, (e, d, t) -> {}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overwrite the input");
        Path same = dir.resolve(".").resolve("wide-f32.gguf");
        assertThatThrownBy(() -> GgufQuantizer.quantize(wide, same, QuantizeType.Q8_0, (e, d, t) -> {}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void failureLeavesNeitherOutputNorScratchFiles() throws Exception {
        Path sub = Files.createDirectory(dir.resolve("failing"));
        Path out = sub.resolve("out.gguf");
        assertThatThrownBy(() -> GgufQuantizer.quantize(wide, out, QuantizeType.Q8_0, (e, done, total) -> {
            if (done == 5) throw new IllegalStateException("stop");
        })).hasMessage("stop");
        try (var files = Files.list(sub)) {
            assertThat(files.toList()).isEmpty();
        }
    }

    @Test
    void parsesNamesIgnoringCase() {
        assertThat(QuantizeType.parse("q4_k_m")).isEqualTo(QuantizeType.Q4_K_M);
        assertThat(QuantizeType.parse("Q4_K")).isEqualTo(QuantizeType.Q4_K_M);
        assertThat(QuantizeType.parse("q5_k")).isEqualTo(QuantizeType.Q5_K_M);
        assertThat(QuantizeType.parse("q8_0").fileType()).isEqualTo(7);
        assertThatThrownBy(() -> QuantizeType.parse("q3_k")).hasMessageContaining("Q4_K_M").hasMessageContaining("q3_k");
    }

    private static QuantizationPlan plan(Path file, QuantizeType target) {
        try (GgufFile f = GgufFile.open(file)) {
            return QuantizationPlan.of(f.metadata(), f.tensors(), target);
        }
    }

    /**
     * Checks {@code out}: the expected type per tensor, data equal to Quantizer.quantize of the input's floats (or
     * the input's bytes when the type is unchanged), dimensions kept, metadata kept but for the two keys llama.cpp sets.
     */
    private static void checkFile(Path in, Path out, QuantizeType target, java.util.function.Function<String, DType> expected) {
        try (GgufFile a = GgufFile.open(in); GgufFile b = GgufFile.open(out)) {
            assertThat(b.tensors()).hasSameSizeAs(a.tensors());
            for (GgufTensorInfo t : a.tensors()) {
                GgufTensorInfo q = b.findTensor(t.name()).orElseThrow();
                DType type = expected.apply(t.name());
                assertThat(q.type()).as("%s under %s", t.name(), target).isEqualTo(type);
                assertThat(q.dims()).isEqualTo(t.dims());
                MemorySegment want = type == t.type() ? a.tensor(t).data()
                        : MemorySegment.ofArray(Quantizer.quantize(a.tensor(t).toFloatArray(), type));
                assertThat(b.tensor(q).data().mismatch(want)).as("data of %s", t.name()).isEqualTo(-1L);
            }
            GgufMetadata ma = a.metadata();
            GgufMetadata mb = b.metadata();
            assertThat(mb.getInt(MetadataKey.GENERAL_FILE_TYPE.key())).isEqualTo(target.fileType());
            assertThat(mb.getInt(MetadataKey.GENERAL_QUANTIZATION_VERSION.key())).isEqualTo(2);
            List<String> keys = new ArrayList<>(mb.keys());
            keys.remove(MetadataKey.GENERAL_QUANTIZATION_VERSION.key());
            assertThat(keys).containsExactlyElementsOf(ma.keys());
            for (String key : ma.keys()) {
                if (key.equals(MetadataKey.GENERAL_FILE_TYPE.key())) continue;
                assertThat(mb.type(key)).as(key).isEqualTo(ma.type(key));
                assertThat(mb.raw(key)).as(key).isEqualTo(ma.raw(key));
            }
        }
    }

    private static double relativeLogitDistance(Path reference, Path quantized) {
        try (LanguageModel f32 = Models.load(reference); LanguageModel q = Models.load(quantized)) {
            InferenceState sf = f32.newState(TOKENS.length);
            InferenceState sq = q.newState(TOKENS.length);
            double diff = 0;
            double norm = 0;
            for (int pos = 0; pos < TOKENS.length; pos++) {
                float[] lf = f32.forward(sf, TOKENS[pos], pos, true);
                float[] lq = q.forward(sq, TOKENS[pos], pos, true);
                for (int i = 0; i < lf.length; i++) {
                    diff += (lq[i] - lf[i]) * (double) (lq[i] - lf[i]);
                    norm += lf[i] * (double) lf[i];
                }
            }
            return Math.sqrt(diff / norm);
        }
    }

}

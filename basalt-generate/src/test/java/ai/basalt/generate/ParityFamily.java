package ai.basalt.generate;

import ai.basalt.format.gguf.GgufMetadata;
import ai.basalt.format.gguf.GgufWriter;
import ai.basalt.format.gguf.MetadataKey;
import ai.basalt.format.gguf.TensorKey;
import ai.basalt.tensor.DType;
import ai.basalt.tensor.Quantizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The model families of the parity tests, each with its real conventions as llama.cpp's converter writes them and as
 * the family's released models have them, and a writer of small random-weight GGUF models of a family in one stored
 * type, with the family's real tokenizer ({@link FamilyVocabularies}).
 *
 * <table>
 *   <caption>Conventions</caption>
 *   <tr><th>family</th><th>heads / KV heads</th><th>extras</th><th>RoPE</th><th>output</th><th>vocabulary</th></tr>
 *   <tr><td>llama</td><td>4 / 4 (Llama 2 7B)</td><td></td><td>adjacent pairs, θ 10⁴</td><td>separate</td><td>Llama 2</td></tr>
 *   <tr><td>mistral</td><td>8 / 2 (Mistral 7B)</td><td></td><td>adjacent pairs, θ 10⁶</td><td>separate</td><td>Llama 2</td></tr>
 *   <tr><td>llama3</td><td>8 / 2</td><td>{@code rope_freqs} (Llama 3.1 scaling)</td><td>adjacent pairs, θ 5·10⁵</td>
 *       <td>tied (Llama 3.2)</td><td>Llama 3</td></tr>
 *   <tr><td>qwen2</td><td>8 / 1 (Qwen2.5 3B)</td><td>Q/K/V biases</td><td>halves, θ 10⁶</td><td>tied</td><td>Qwen</td></tr>
 *   <tr><td>qwen3</td><td>4 / 2, head width 2C/4</td><td>per-head Q/K RMSNorm</td><td>halves, θ 10⁶</td>
 *       <td>separate (Qwen3 8B and up)</td><td>Qwen</td></tr>
 *   <tr><td>phi3</td><td>4 / 4 (Phi-3 mini)</td><td>stacked {@code attn_qkv}, gate|up {@code ffn_up}</td>
 *       <td>halves, θ 10⁴</td><td>separate</td><td>Phi-3</td></tr>
 *   <tr><td>gpt2</td><td>4 / 4</td><td>learned positions, LayerNorm, GELU, biases on every product</td><td>none</td>
 *       <td>tied, written twice</td><td>GPT-2</td></tr>
 * </table>
 *
 * <p>GPT-2 ties its output to the token embedding, but its converter writes the embedding a second time as
 * {@code output.weight}, which llama.cpp b4916 requires for gpt2; so both engines run GPT-2 through a separate output
 * tensor (Basalt's tied path, without {@code output.weight}, is covered by {@code TrainedModelConformanceTest}).
 *
 * <p>Width C is 64, or 256 for the k-quants, whose 256-value super-blocks must divide every row; MLP width 3C (4C for
 * GPT-2), 2 layers, context 128. The token embedding, the output projection and every block matrix are stored in the
 * cell's type (vocabulary-sized ones in the k-quants by {@link KQuantBlocks}, the rest by {@link Quantizer}); norms,
 * biases and {@code rope_freqs} stay F32, and so do GPT-2's position embeddings except in F16 (llama-quantize leaves
 * them alone, the F16 converter does not).
 *
 * <p>Weights: uniform with the variance of N(0, s²) (cheaper to draw than Gaussians). Matrices s = 1/√fan-in (2/√C
 * for Q and K, so that attention is not uniform), norm weights 1 ± 0.2, biases 0.3; token embeddings s = 0.2 (0.02
 * when tied, where a tied output norm of 8 spreads the logits), small beside what the blocks add, so that the next
 * token depends on more than the last one. Margins: among 150k rows of equal scale the top two logits of a step are
 * typically a few hundredths of the largest apart, and over 64 steps some come within 10⁻⁵; so the output rows
 * (embedding rows when tied) of {@value #FAVOURITES} ordinary tokens drawn at random are scaled ×4, and those of every
 * token that is not ordinary (control, byte, unused, user-defined) ×0.1. The argmax is then one of those 16, a
 * clear winner (measured smallest margin per 64-step run: 1.4e-4 to 1.3e-2 of the largest logit, against engine
 * differences of 10⁻⁶), and end-of-generation tokens never win, so both engines decode every step.
 */
enum ParityFamily {
    LLAMA("llama", "llama", FamilyVocabularies.LLAMA2, 4, 4, 1, 10_000f, 1e-5f, false, false, false, false, false),
    MISTRAL("mistral", "llama", FamilyVocabularies.LLAMA2, 8, 2, 1, 1e6f, 1e-5f, false, false, false, false, false),
    LLAMA3("llama", "llama", FamilyVocabularies.LLAMA3, 8, 2, 1, 500_000f, 1e-5f, false, false, false, true, true),
    QWEN2("qwen2", "qwen2", FamilyVocabularies.QWEN, 8, 1, 1, 1e6f, 1e-6f, true, false, false, true, false),
    QWEN3("qwen3", "qwen3", FamilyVocabularies.QWEN, 4, 2, 2, 1e6f, 1e-6f, false, true, false, false, false),
    PHI3("phi3", "phi3", FamilyVocabularies.PHI3, 4, 4, 1, 10_000f, 1e-5f, false, false, true, false, false),
    GPT2("gpt2", "gpt2", FamilyVocabularies.GPT2, 4, 4, 1, 0f, 1e-5f, true, false, true, true, false);

    static final int LAYERS = 2, CONTEXT = 128, FAVOURITES = 16;
    /** llama.cpp's {@code llama_ftype} of a file whose matrices are all of one type (llama.h). */
    private static final Map<DType, Integer> FILE_TYPE = Map.of(DType.F32, 0, DType.F16, 1, DType.Q4_0, 2,
            DType.Q8_0, 7, DType.Q4_K, 15, DType.Q6_K, 18);

    final String arch;
    /** The architecture llama.cpp b4916 runs the same tensors as (it has no {@code mistral}; Mistral's converter writes llama). */
    final String oracleArch;
    final FamilyVocabularies vocabulary;
    final int heads, kvHeads;
    /** head width = headScale · C / heads */
    final int headScale;
    final float ropeBase, epsilon;
    /** Q/K/V biases (qwen2); all biases (gpt2) */
    final boolean bias;
    final boolean qkNorm;
    /** stacked attn_qkv, and for phi3 the stacked gate|up ffn_up */
    final boolean fused;
    final boolean tied;
    /** Llama 3.1's per-frequency RoPE divisors as the {@code rope_freqs} tensor */
    final boolean ropeFreqs;

    ParityFamily(String arch, String oracleArch, FamilyVocabularies vocabulary, int heads, int kvHeads, int headScale,
            float ropeBase, float epsilon, boolean bias, boolean qkNorm, boolean fused, boolean tied, boolean ropeFreqs) {
        this.arch = arch;
        this.oracleArch = oracleArch;
        this.vocabulary = vocabulary;
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.headScale = headScale;
        this.ropeBase = ropeBase;
        this.epsilon = epsilon;
        this.bias = bias;
        this.qkNorm = qkNorm;
        this.fused = fused;
        this.tied = tied;
        this.ropeFreqs = ropeFreqs;
    }

    /** The name tests print: {@code llama}, {@code llama3}, ... */
    String label() {
        return name().toLowerCase().replace('_', '-');
    }

    boolean gpt2() {
        return arch.equals("gpt2");
    }

    /** Model width for a stored type: k-quant rows are whole 256-value super-blocks. */
    static int width(DType type) {
        return type.blockSize() == 256 ? 256 : 64;
    }

    /**
     * Writes this family's model, weights drawn from {@code seed}, with its matrices in {@code type} and
     * {@code general.architecture = arch} (the family's own name, or the name another engine knows it by).
     */
    void write(Path file, DType type, String arch, long seed) {
        int dim = width(type), ffn = (gpt2() ? 4 : 3) * dim, headDim = headScale * dim / heads;
        GgufMetadata.Builder m = vocabulary.metadata().toBuilder()
                .putString(MetadataKey.GENERAL_ARCHITECTURE.key(), arch)
                .putString(MetadataKey.GENERAL_NAME.key(), "random weights") // llama.cpp special-cases names with "phi3"
                .putInt(MetadataKey.GENERAL_FILE_TYPE.key(), FILE_TYPE.get(type))
                .putInt(MetadataKey.CONTEXT_LENGTH.of(arch), CONTEXT)
                .putInt(MetadataKey.EMBEDDING_LENGTH.of(arch), dim)
                .putInt(MetadataKey.BLOCK_COUNT.of(arch), LAYERS)
                .putInt(MetadataKey.FEED_FORWARD_LENGTH.of(arch), ffn)
                .putInt(MetadataKey.ATTENTION_HEAD_COUNT.of(arch), heads)
                .putInt(MetadataKey.VOCAB_SIZE.of(arch), vocabulary.size());
        if (gpt2()) {
            m.putFloat(MetadataKey.ATTENTION_LAYER_NORM_EPSILON.of(arch), epsilon);
        } else {
            m.putInt(MetadataKey.ATTENTION_HEAD_COUNT_KV.of(arch), kvHeads)
                    .putFloat(MetadataKey.ATTENTION_LAYER_NORM_RMS_EPSILON.of(arch), epsilon)
                    .putFloat(MetadataKey.ROPE_FREQ_BASE.of(arch), ropeBase)
                    .putInt(MetadataKey.ROPE_DIMENSION_COUNT.of(arch), headDim);
        }
        if (headDim * heads != dim) {
            m.putInt(MetadataKey.ATTENTION_KEY_LENGTH.of(arch), headDim).putInt(MetadataKey.ATTENTION_VALUE_LENGTH.of(arch), headDim);
        }
        if (this == PHI3) m.putInt(MetadataKey.ATTENTION_SLIDING_WINDOW.of(arch), CONTEXT); // b4916 requires it
        GgufWriter writer = new GgufWriter(m.build());
        new Weights(writer, type, new SplittableRandom(seed)).add(dim, ffn, headDim);
        writer.write(file);
    }

    /** Draws the tensors in GGUF order and adds them to the writer, each in its stored type. */
    private final class Weights {
        private final GgufWriter writer;
        private final DType type;
        private final SplittableRandom random;

        Weights(GgufWriter writer, DType type, SplittableRandom random) {
            this.writer = writer;
            this.type = type;
            this.random = random;
        }

        void add(int dim, int ffn, int headDim) {
            int vocab = vocabulary.size(), qDim = heads * headDim, kvDim = kvHeads * headDim;
            float[] rowScale = outputRowScales(vocab);
            float[] embedding = uniform(vocab * dim, tied ? 0.02 : 0.2);
            if (tied) scaleRows(embedding, dim, rowScale);
            matrix(TensorKey.TOKEN_EMBD.weight(), embedding, dim, vocab);
            if (gpt2()) {
                float[] positions = uniform(CONTEXT * dim, 0.1);
                DType stored = type == DType.F16 ? DType.F16 : DType.F32;
                writer.addTensor(TensorKey.POSITION_EMBD.weight(), stored, new long[] {dim, CONTEXT},
                        Quantizer.quantize(positions, stored));
            }
            for (int l = 0; l < LAYERS; l++) {
                norm(TensorKey.ATTN_NORM, l, dim);
                if (fused) {
                    int rows = qDim + 2 * kvDim;
                    matrix(TensorKey.ATTN_QKV.weight(l), uniform(rows * dim, 2 / Math.sqrt(dim)), dim, rows);
                    if (gpt2()) vector(TensorKey.ATTN_QKV.bias(l), rows, 0, 0.3);
                } else {
                    matrix(TensorKey.ATTN_Q.weight(l), uniform(qDim * dim, 2 / Math.sqrt(dim)), dim, qDim);
                    matrix(TensorKey.ATTN_K.weight(l), uniform(kvDim * dim, 2 / Math.sqrt(dim)), dim, kvDim);
                    matrix(TensorKey.ATTN_V.weight(l), uniform(kvDim * dim, 1 / Math.sqrt(dim)), dim, kvDim);
                    if (bias) {
                        vector(TensorKey.ATTN_Q.bias(l), qDim, 0, 0.3);
                        vector(TensorKey.ATTN_K.bias(l), kvDim, 0, 0.3);
                        vector(TensorKey.ATTN_V.bias(l), kvDim, 0, 0.3);
                    }
                }
                if (qkNorm) {
                    vector(TensorKey.ATTN_Q_NORM.weight(l), headDim, 1, 0.2);
                    vector(TensorKey.ATTN_K_NORM.weight(l), headDim, 1, 0.2);
                }
                matrix(TensorKey.ATTN_OUTPUT.weight(l), uniform(dim * qDim, 1 / Math.sqrt(qDim)), qDim, dim);
                if (gpt2()) vector(TensorKey.ATTN_OUTPUT.bias(l), dim, 0, 0.3);
                norm(TensorKey.FFN_NORM, l, dim);
                if (!gpt2() && !fused) {
                    matrix(TensorKey.FFN_GATE.weight(l), uniform(ffn * dim, 1 / Math.sqrt(dim)), dim, ffn);
                }
                int upRows = this.fusedGateUp() ? 2 * ffn : ffn;
                matrix(TensorKey.FFN_UP.weight(l), uniform(upRows * dim, 1 / Math.sqrt(dim)), dim, upRows);
                if (gpt2()) vector(TensorKey.FFN_UP.bias(l), ffn, 0, 0.3);
                matrix(TensorKey.FFN_DOWN.weight(l), uniform(dim * ffn, 1 / Math.sqrt(ffn)), ffn, dim);
                if (gpt2()) vector(TensorKey.FFN_DOWN.bias(l), dim, 0, 0.3);
            }
            // A tied output sees the final norm's scale only: 8 spreads its logits over several units.
            vector(TensorKey.OUTPUT_NORM.weight(), dim, tied ? 8 : 1, 0.2);
            if (gpt2()) vector(TensorKey.OUTPUT_NORM.bias(), dim, 0, 0.3);
            if (!tied) {
                float[] output = uniform(vocab * dim, 0.5);
                scaleRows(output, dim, rowScale);
                matrix(TensorKey.OUTPUT.weight(), output, dim, vocab);
            } else if (gpt2()) {
                matrix(TensorKey.OUTPUT.weight(), embedding, dim, vocab); // the converter's copy of the tied output
            }
            if (ropeFreqs) {
                float[] factors = ArchitectureConformanceTest.llama3RopeFactors(headDim, ropeBase);
                writer.addTensor(TensorKey.ROPE_FREQS.weight(), DType.F32, new long[] {factors.length},
                        Quantizer.quantize(factors, DType.F32));
            }
        }

        private boolean fusedGateUp() {
            return fused && !gpt2();
        }

        /** ×4 for the favourite ordinary tokens, ×0.1 for every token that is not ordinary, 1 otherwise. */
        private float[] outputRowScales(int vocab) {
            boolean[] normal = vocabulary.normal();
            float[] scale = new float[vocab];
            for (int i = 0; i < vocab; i++) scale[i] = normal[i] ? 1f : 0.1f;
            for (int picked = 0; picked < FAVOURITES; ) {
                int id = random.nextInt(vocab);
                if (scale[id] == 1f) {
                    scale[id] = 4f;
                    picked++;
                }
            }
            return scale;
        }

        private void scaleRows(float[] m, int cols, float[] scale) {
            for (int r = 0; r < scale.length; r++) {
                for (int c = 0; c < cols; c++) m[r * cols + c] *= scale[r];
            }
        }

        /** A {cols, rows} matrix in the cell's type; the fast k-quant encoder for the vocabulary-sized ones. */
        private void matrix(String name, float[] values, int cols, int rows) {
            byte[] data = type.blockSize() == 256 && rows >= vocabulary.size()
                    ? KQuantBlocks.encode(values, type) : Quantizer.quantize(values, type);
            writer.addTensor(name, type, new long[] {cols, rows}, data);
        }

        private void norm(TensorKey key, int layer, int dim) {
            vector(key.weight(layer), dim, 1, 0.2);
            if (gpt2()) vector(key.bias(layer), dim, 0, 0.3);
        }

        private void vector(String name, int n, double mean, double std) {
            float[] v = uniform(n, std);
            for (int i = 0; i < n; i++) v[i] += (float) mean;
            writer.addTensor(name, DType.F32, new long[] {n}, Quantizer.quantize(v, DType.F32));
        }

        /** n values uniform on [−√3·std, √3·std): mean 0, standard deviation std. */
        private float[] uniform(int n, double std) {
            double half = Math.sqrt(3) * std;
            float[] v = new float[n];
            for (int i = 0; i < n; i++) v[i] = (float) ((random.nextDouble() * 2 - 1) * half);
            return v;
        }
    }

    /** Every family and every stored type of the parity matrix, family by family. */
    static List<Object[]> cells(List<ParityFamily> families, List<DType> types) {
        List<Object[]> out = new ArrayList<>();
        for (ParityFamily f : families) for (DType t : types) out.add(new Object[] {f, t});
        return out;
    }
}

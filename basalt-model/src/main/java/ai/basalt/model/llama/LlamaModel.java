package ai.basalt.model.llama;

import ai.basalt.format.gguf.GgufView;
import ai.basalt.format.gguf.MetadataKey;
import ai.basalt.model.InferenceState;
import ai.basalt.model.KvType;
import ai.basalt.model.LanguageModel;
import ai.basalt.model.layers.CachedAttention;
import ai.basalt.model.layers.SequenceBatch;
import ai.basalt.tensor.TensorOps;
import ai.basalt.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The Llama architecture (Touvron et al. 2023): pre-norm transformer blocks with RMSNorm, rotary
 * position embeddings, grouped-query attention and a SwiGLU MLP, with tied or separate output
 * projection. Inference runs one token at a time against a KV cache. The same decoder runs Mistral, Qwen2
 * (Q/K/V biases), Qwen3 (per-head Q/K RMSNorm before RoPE) and Phi-3 (stacked QKV and gate/up projections), each
 * as flags of its {@link LlamaConfig}, with rotate-half RoPE for the last three and optional RoPE scaling.
 */
public final class LlamaModel implements LanguageModel {
    private final GgufView file;
    private final String architecture;
    private final String name;
    private final LlamaConfig config;
    private final LlamaWeights weights;
    private final Tokenizer tokenizer;
    private final TensorOps ops;
    private final CachedAttention attention;

    LlamaModel(GgufView file, String architecture, String name, LlamaConfig config, LlamaWeights weights,
            Tokenizer tokenizer, TensorOps ops) {
        this.file = file;
        this.architecture = architecture;
        this.name = name;
        this.config = config;
        this.weights = weights;
        this.tokenizer = tokenizer;
        this.ops = ops;
        this.attention = new CachedAttention(ops, config.headCount(), config.headCountKv(), config.headDim());
    }

    public LlamaConfig config() {
        return config;
    }

    @Override
    public String architecture() {
        return architecture;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public Optional<String> chatTemplate() {
        return file.metadata().findString(MetadataKey.TOKENIZER_CHAT_TEMPLATE.key());
    }

    @Override
    public int vocabularySize() {
        return config.vocabularySize();
    }

    @Override
    public int contextLength() {
        return config.contextLength();
    }

    @Override
    public long parameterCount() {
        return weights.parameterCount;
    }

    @Override
    public String weightType() {
        return (config.fusedQkv() ? weights.wqkv[0] : weights.wq[0]).type().name();
    }

    @Override
    public InferenceState newState(int contextLength, KvType kvType) {
        if (contextLength < 1 || contextLength > config.contextLength()) {
            throw new IllegalArgumentException("context length " + contextLength + " must be between 1 and the model's "
                    + config.contextLength());
        }
        return new LlamaState(this, config, contextLength, kvType);
    }

    @Override
    public float[] forward(InferenceState state, int token, int position, boolean computeLogits) {
        return forwardBatch(new InferenceState[] {state}, new int[] {token}, new int[] {position}, computeLogits)[0];
    }

    /**
     * Every sequence through each layer together: each projection is one {@link TensorOps#matmulEach} over the
     * sequences' buffers (each weight read once for the step, every product bit-identical to the one-sequence
     * product), and everything else runs per sequence on its own state, attention over its own cache, with exactly
     * the operations a step of one runs. {@link #forward} is this step for one sequence.
     */
    @Override
    public float[][] forwardBatch(InferenceState[] states, int[] tokens, int[] positions, boolean computeLogits) {
        LlamaState.Step b = new LlamaState.Step(statesOf(states, tokens, positions));
        for (int i = 0; i < b.size; i++) {
            LlamaState s = b.states[i];
            s.reserve(positions[i] + 1);
            ops.dequantizeRow(weights.tokenEmbedding, tokens[i], s.x, 0);
            ropeAngles(s, positions[i]);
        }
        for (int l = 0; l < config.blockCount(); l++) {
            attention(b, l, positions);
            feedForward(b, l);
        }
        if (!computeLogits) return new float[b.size][];
        for (LlamaState s : b.states) ops.rmsnorm(s.x, 0, s.x, 0, weights.outputNorm, config.embeddingLength(), config.rmsEpsilon());
        ops.matmulEach(weights.output, b.x, b.size, b.logits);
        return b.logits;
    }

    /** The batch's states, each checked as {@link #forward} checks its one, all before any runs. */
    private LlamaState[] statesOf(InferenceState[] states, int[] tokens, int[] positions) {
        SequenceBatch.check(states, tokens, positions);
        LlamaState[] checked = new LlamaState[states.length];
        for (int i = 0; i < states.length; i++) {
            LlamaState s = stateOf(states[i]);
            if (positions[i] < 0 || positions[i] >= s.capacity) {
                throw new IllegalArgumentException("position " + positions[i] + " is outside the context of " + s.capacity + " tokens");
            }
            requireInVocabulary(tokens[i]);
            checked[i] = s;
        }
        return checked;
    }

    /**
     * The prompt through each layer as one batch of up to {@link LlamaState#MAX_BATCH} tokens: every projection
     * is one matrix product over the batch ({@link TensorOps#matmul(ai.basalt.tensor.Tensor, float[], int,
     * float[])}), so each weight is read once per batch instead of once per token; norms, RoPE and attention run
     * per token as in {@link #forward}, each token attending over the cache up to its own position.
     */
    @Override
    public float[] prefill(InferenceState state, int[] tokens, int start, boolean computeLogits) {
        LlamaState s = stateOf(state);
        requirePiece(s, tokens, start, "");
        s.reserve(start + tokens.length);
        LlamaState.Batch b = s.batch();
        int n = 0;
        for (int done = 0; done < tokens.length; done += n) {
            n = Math.min(b.size, tokens.length - done);
            runBatch(b, new Piece(s, tokens, done, n, start + done, 0));
        }
        return computeLogits ? logits(s, b, n - 1) : null;
    }

    /** The logits after row {@code row} of the batch's residuals, in {@code s}'s buffers. */
    private float[] logits(LlamaState s, LlamaState.Batch b, int row) {
        int dim = config.embeddingLength();
        System.arraycopy(b.x, row * dim, s.x, 0, dim);
        ops.rmsnorm(s.x, 0, s.x, 0, weights.outputNorm, dim, config.rmsEpsilon());
        ops.matmul(weights.output, s.x, s.logits);
        return s.logits;
    }

    /**
     * The pieces through each layer together, as many as fit one batch of {@link LlamaState#MAX_BATCH} tokens: each
     * projection is one matrix product over all their tokens, so the weights are read once for the batch, not once
     * per sequence. A piece gets its products bit for bit as it gets them alone because it has at least
     * {@link TensorOps#matmulStableFrom()} tokens (shorter pieces, and any longer than a batch, run alone through
     * {@link #prefill}); norms, RoPE, the element-wise maths and attention run per token or per piece over the
     * piece's own state, exactly as alone.
     */
    @Override
    public float[][] prefillBatch(InferenceState[] states, int[][] tokens, int[] starts, boolean[] computeLogits) {
        SequenceBatch.check(states, tokens.length, starts.length, computeLogits.length);
        LlamaState[] checked = new LlamaState[states.length];
        for (int i = 0; i < states.length; i++) {
            checked[i] = stateOf(states[i]);
            requirePiece(checked[i], tokens[i], starts[i], " of piece " + i);
        }
        float[][] logits = new float[states.length][];
        int from = ops.matmulStableFrom();
        List<Integer> group = new ArrayList<>();
        int groupTokens = 0;
        for (int i = 0; i <= states.length; i++) {
            boolean joins = i < states.length && tokens[i].length >= from && tokens[i].length <= LlamaState.MAX_BATCH;
            if (i == states.length || (joins && groupTokens + tokens[i].length > LlamaState.MAX_BATCH)) {
                runGroup(group, checked, tokens, starts, computeLogits, logits);
                group.clear();
                groupTokens = 0;
            }
            if (i == states.length) break;
            if (joins) {
                group.add(i);
                groupTokens += tokens[i].length;
            } else {
                logits[i] = prefill(checked[i], tokens[i], starts[i], computeLogits[i]);
            }
        }
        return logits;
    }

    /** A batch of spare buffers for {@link #prefillBatch}, taken by one call at a time (null while taken). */
    private final AtomicReference<LlamaState.Batch> spareBatch = new AtomicReference<>();

    private void runGroup(List<Integer> group, LlamaState[] states, int[][] tokens, int[] starts, boolean[] computeLogits,
            float[][] logits) {
        if (group.isEmpty()) return;
        if (group.size() == 1) {
            int i = group.getFirst();
            logits[i] = prefill(states[i], tokens[i], starts[i], computeLogits[i]);
            return;
        }
        LlamaState.Batch b = spareBatch.getAndSet(null);
        if (b == null) b = new LlamaState.Batch(config, LlamaState.MAX_BATCH);
        try {
            Piece[] pieces = new Piece[group.size()];
            int at = 0;
            for (int g = 0; g < pieces.length; g++) {
                int i = group.get(g);
                states[i].reserve(starts[i] + tokens[i].length);
                pieces[g] = new Piece(states[i], tokens[i], 0, tokens[i].length, starts[i], at);
                at += tokens[i].length;
            }
            runBatch(b, pieces);
            for (int g = 0; g < pieces.length; g++) {
                int i = group.get(g);
                if (computeLogits[i]) logits[i] = logits(states[i], b, pieces[g].at + pieces[g].n - 1);
            }
        } finally {
            spareBatch.set(b);
        }
    }

    /**
     * Mean pooling of the normalized final hidden states, then unit length: the prompt runs through the layers in the
     * prefill's batches on a cache of its own (F32), and each token's last residual is normalized as the output head
     * sees it.
     */
    @Override
    public float[] embed(int[] tokens) {
        if (tokens.length == 0) throw new IllegalArgumentException("no tokens to embed");
        if (tokens.length > config.contextLength()) {
            throw new IllegalArgumentException(tokens.length + " tokens to embed, over the context of " + config.contextLength());
        }
        for (int token : tokens) requireInVocabulary(token);
        LlamaState s = stateOf(newState(tokens.length, KvType.F32));
        s.reserve(tokens.length);
        LlamaState.Batch b = s.batch();
        int dim = config.embeddingLength();
        double[] sum = new double[dim];
        float[] row = new float[dim];
        for (int done = 0, n; done < tokens.length; done += n) {
            n = Math.min(b.size, tokens.length - done);
            runBatch(b, new Piece(s, tokens, done, n, done, 0));
            for (int i = 0; i < n; i++) {
                ops.rmsnorm(row, 0, b.x, i * dim, weights.outputNorm, dim, config.rmsEpsilon());
                for (int d = 0; d < dim; d++) sum[d] += row[d];
            }
        }
        double norm = 0;
        for (int d = 0; d < dim; d++) norm += sum[d] * sum[d];
        double scale = norm == 0 ? 0 : 1 / Math.sqrt(norm);
        float[] out = new float[dim];
        for (int d = 0; d < dim; d++) out[d] = (float) (sum[d] * scale);
        return out;
    }

    /**
     * {@code tokens[from .. from + n)} of sequence {@code s} at positions {@code pos0 .. pos0 + n − 1}, in rows
     * {@code at .. at + n − 1} of a batch.
     */
    private record Piece(LlamaState s, int[] tokens, int from, int n, int pos0, int at) {}

    /**
     * The pieces' tokens through every layer, leaving b.x as their residuals: the projections are one product over
     * all rows; everything else runs per token, or per piece over the piece's rows, on the piece's own state.
     */
    private void runBatch(LlamaState.Batch b, Piece... pieces) {
        LlamaConfig c = config;
        int dim = c.embeddingLength(), qDim = c.qDim(), kvDim = c.kvDim(), ffn = c.feedForwardLength();
        int half = c.ropeDimensions() / 2;
        int n = 0;
        for (Piece p : pieces) {
            for (int i = 0; i < p.n; i++) {
                ops.dequantizeRow(weights.tokenEmbedding, p.tokens[p.from + i], b.x, (p.at + i) * dim);
                ropeAngles(p.pos0 + i, b.cos, b.sin, (p.at + i) * half);
            }
            n += p.n;
        }
        for (int l = 0; l < c.blockCount(); l++) {
            for (int i = 0; i < n; i++) ops.rmsnorm(b.xb, i * dim, b.x, i * dim, weights.attnNorm[l], dim, c.rmsEpsilon());
            projectQkv(b, l, n);
            for (Piece p : pieces) {
                LlamaState s = p.s;
                for (int j = 0; j < p.n; j++) {
                    int i = p.at + j;
                    if (c.attentionBias()) {
                        ops.axpy(1f, weights.bq[l], 0, b.q, i * qDim, qDim);
                        ops.axpy(1f, weights.bk[l], 0, b.k, i * kvDim, kvDim);
                        ops.axpy(1f, weights.bv[l], 0, b.v, i * kvDim, kvDim);
                    }
                    if (c.qkNorm()) {
                        normalizeHeads(b.q, i * qDim, c.headCount(), weights.qNorm[l]);
                        normalizeHeads(b.k, i * kvDim, c.headCountKv(), weights.kNorm[l]);
                    }
                    System.arraycopy(b.cos, i * half, s.cos, 0, half);
                    System.arraycopy(b.sin, i * half, s.sin, 0, half);
                    rotateHeads(b.q, i * qDim, c.headCount(), s.cos, s.sin);
                    rotateHeads(b.k, i * kvDim, c.headCountKv(), s.cos, s.sin);
                    s.cache.store(l, b.k, i * kvDim, b.v, i * kvDim, p.pos0 + j);
                }
                for (int j = 0; j < p.n; j++) {
                    int i = p.at + j;
                    System.arraycopy(b.q, i * qDim, s.q, 0, qDim);
                    attention.attend(s.q, s.cache, l, s.scores, s.attnOut, p.pos0 + j + 1);
                    System.arraycopy(s.attnOut, 0, b.attnOut, i * qDim, qDim);
                }
            }
            ops.matmul(weights.wo[l], b.attnOut, n, b.proj);
            for (Piece p : pieces) ops.axpy(1f, b.proj, p.at * dim, b.x, p.at * dim, p.n * dim);

            for (int i = 0; i < n; i++) ops.rmsnorm(b.xb, i * dim, b.x, i * dim, weights.ffnNorm[l], dim, c.rmsEpsilon());
            if (c.fusedGateUp()) {
                ops.matmul(weights.wUp[l], b.xb, n, b.gateUp);
                for (int i = 0; i < n; i++) {
                    System.arraycopy(b.gateUp, i * 2 * ffn, b.gate, i * ffn, ffn);
                    System.arraycopy(b.gateUp, i * 2 * ffn + ffn, b.up, i * ffn, ffn);
                }
            } else {
                ops.matmul(weights.wGate[l], b.xb, n, b.gate);
                ops.matmul(weights.wUp[l], b.xb, n, b.up);
            }
            for (Piece p : pieces) ops.silu(b.gate, p.at * ffn, p.n * ffn); // per piece: its vector/tail split as alone
            ops.mul(b.gate, b.up, n * ffn); // one rounded product per element, however the lanes fall
            ops.matmul(weights.wDown[l], b.gate, n, b.proj);
            for (Piece p : pieces) ops.axpy(1f, b.proj, p.at * dim, b.x, p.at * dim, p.n * dim);
        }
    }

    /** The batch's q, k, v from its normed inputs: separate products or one stacked one split by rows. */
    private void projectQkv(LlamaState.Batch b, int l, int n) {
        LlamaConfig c = config;
        int qDim = c.qDim(), kvDim = c.kvDim();
        if (c.fusedQkv()) {
            int stride = qDim + 2 * kvDim;
            ops.matmul(weights.wqkv[l], b.xb, n, b.qkv);
            for (int i = 0; i < n; i++) {
                System.arraycopy(b.qkv, i * stride, b.q, i * qDim, qDim);
                System.arraycopy(b.qkv, i * stride + qDim, b.k, i * kvDim, kvDim);
                System.arraycopy(b.qkv, i * stride + qDim + kvDim, b.v, i * kvDim, kvDim);
            }
        } else {
            ops.matmul(weights.wq[l], b.xb, n, b.q);
            ops.matmul(weights.wk[l], b.xb, n, b.k);
            ops.matmul(weights.wv[l], b.xb, n, b.v);
        }
    }

    /** Checks that {@code tokens} are some, fit {@code s} from {@code start}, and are in the vocabulary. */
    private void requirePiece(LlamaState s, int[] tokens, int start, String which) {
        if (tokens.length == 0) throw new IllegalArgumentException("prefill of no tokens" + which);
        if (start < 0 || (long) start + tokens.length > s.capacity) {
            throw new IllegalArgumentException("positions " + start + " to " + (start + tokens.length - 1) + which
                    + " are outside the context of " + s.capacity + " tokens");
        }
        for (int token : tokens) requireInVocabulary(token);
    }

    private void requireInVocabulary(int token) {
        if (token < 0 || token >= config.vocabularySize()) {
            throw new IllegalArgumentException("token id " + token + " is outside the vocabulary of " + config.vocabularySize());
        }
    }

    private LlamaState stateOf(InferenceState state) {
        if (!(state instanceof LlamaState s) || s.owner != this) {
            throw new IllegalArgumentException("state was not created by this model");
        }
        return s;
    }

    /**
     * cos/sin of θ_i = scale · position · base^(-2i/d) / factor_i, computed as ggml does ({@code ggml_rope_cache_init},
     * {@code rope_yarn} without extrapolation): θ is multiplied by the float ratio base^(-2/d) once per pair, then
     * divided by the pair's frequency factor (Llama 3's {@code rope_freqs}, else 1) and multiplied by the linear
     * scale, so that angles agree with llama.cpp to the last bit.
     */
    private void ropeAngles(LlamaState s, int position) {
        ropeAngles(position, s.cos, s.sin, 0);
    }

    private void ropeAngles(int position, float[] cos, float[] sin, int off) {
        float thetaScale = (float) Math.pow(config.ropeFreqBase(), -2.0f / config.ropeDimensions());
        float[] factors = weights.ropeFreqFactors;
        float freqScale = config.ropeFreqScale();
        float theta = position;
        for (int i = 0; i < config.ropeDimensions() / 2; i++) {
            float angle = freqScale * (factors == null ? theta : theta / factors[i]);
            cos[off + i] = (float) Math.cos(angle);
            sin[off + i] = (float) Math.sin(angle);
            theta *= thetaScale;
        }
    }

    /** x ← x + Wo · attention(RMSNorm(x)) for each sequence, appending its position's keys and values to its cache. */
    private void attention(LlamaState.Step b, int l, int[] positions) {
        LlamaConfig c = config;
        for (LlamaState s : b.states) ops.rmsnorm(s.xb, 0, s.x, 0, weights.attnNorm[l], c.embeddingLength(), c.rmsEpsilon());
        projectQkv(b, l);
        for (int i = 0; i < b.size; i++) {
            LlamaState s = b.states[i];
            if (c.qkNorm()) {
                normalizeHeads(s.q, c.headCount(), weights.qNorm[l]);
                normalizeHeads(s.k, c.headCountKv(), weights.kNorm[l]);
            }
            rotateHeads(s.q, c.headCount(), s);
            rotateHeads(s.k, c.headCountKv(), s);
            s.cache.store(l, s.k, 0, s.v, 0, positions[i]);
            attention.attend(s.q, s.cache, l, s.scores, s.attnOut, positions[i] + 1);
        }
        ops.matmulEach(weights.wo[l], b.attnOut, b.size, b.proj);
        for (LlamaState s : b.states) ops.axpy(1f, s.proj, 0, s.x, 0, c.embeddingLength());
    }

    /** q, k, v ← the projections of the normed inputs: separate or one stacked matrix, plus biases where present. */
    private void projectQkv(LlamaState.Step b, int l) {
        LlamaConfig c = config;
        if (c.fusedQkv()) {
            ops.matmulEach(weights.wqkv[l], b.xb, b.size, b.qkv);
            for (LlamaState s : b.states) {
                System.arraycopy(s.qkv, 0, s.q, 0, c.qDim());
                System.arraycopy(s.qkv, c.qDim(), s.k, 0, c.kvDim());
                System.arraycopy(s.qkv, c.qDim() + c.kvDim(), s.v, 0, c.kvDim());
            }
        } else {
            ops.matmulEach(weights.wq[l], b.xb, b.size, b.q);
            ops.matmulEach(weights.wk[l], b.xb, b.size, b.k);
            ops.matmulEach(weights.wv[l], b.xb, b.size, b.v);
        }
        if (c.attentionBias()) {
            for (LlamaState s : b.states) {
                ops.axpy(1f, weights.bq[l], 0, s.q, 0, c.qDim());
                ops.axpy(1f, weights.bk[l], 0, s.k, 0, c.kvDim());
                ops.axpy(1f, weights.bv[l], 0, s.v, 0, c.kvDim());
            }
        }
    }

    /** RMSNorm of each head of x on its own, with one weight vector shared by the heads (Qwen3's Q/K norm). */
    private void normalizeHeads(float[] x, int heads, float[] weight) {
        normalizeHeads(x, 0, heads, weight);
    }

    private void normalizeHeads(float[] x, int off, int heads, float[] weight) {
        int headDim = config.headDim();
        for (int h = 0; h < heads; h++) {
            int at = off + h * headDim;
            ops.rmsnorm(x, at, x, at, weight, headDim, config.rmsEpsilon());
        }
    }

    private void rotateHeads(float[] x, int heads, LlamaState s) {
        rotateHeads(x, 0, heads, s.cos, s.sin);
    }

    /** RoPE on each of {@code heads} heads of x from {@code off}, by the angles whose cosines and sines are given. */
    private void rotateHeads(float[] x, int off, int heads, float[] cos, float[] sin) {
        int headDim = config.headDim();
        for (int h = 0; h < heads; h++) ops.rope(x, off + h * headDim, config.ropeDimensions(), cos, sin, config.ropeMode());
    }

    /**
     * x ← x + W_down · (SiLU(W_gate · n) ⊙ W_up · n) with n = RMSNorm(x) for each sequence (Shazeer 2020, SwiGLU); a
     * stacked {@code ffn_up} gives gate then up in one product.
     */
    private void feedForward(LlamaState.Step b, int l) {
        LlamaConfig c = config;
        int ffn = c.feedForwardLength();
        for (LlamaState s : b.states) ops.rmsnorm(s.xb, 0, s.x, 0, weights.ffnNorm[l], c.embeddingLength(), c.rmsEpsilon());
        if (c.fusedGateUp()) {
            ops.matmulEach(weights.wUp[l], b.xb, b.size, b.gateUp);
            for (LlamaState s : b.states) {
                System.arraycopy(s.gateUp, 0, s.gate, 0, ffn);
                System.arraycopy(s.gateUp, ffn, s.up, 0, ffn);
            }
        } else {
            ops.matmulEach(weights.wGate[l], b.xb, b.size, b.gate);
            ops.matmulEach(weights.wUp[l], b.xb, b.size, b.up);
        }
        for (LlamaState s : b.states) {
            ops.silu(s.gate, 0, ffn);
            ops.mul(s.gate, s.up, ffn);
        }
        ops.matmulEach(weights.wDown[l], b.gate, b.size, b.proj);
        for (LlamaState s : b.states) ops.axpy(1f, s.proj, 0, s.x, 0, c.embeddingLength());
    }

    @Override
    public void close() {
        file.close();
    }
}

package ai.basalt.model.training;

import ai.basalt.model.gpt2.Gpt2Config;
import ai.basalt.model.llama.LlamaConfig;
import ai.basalt.tensor.RopeMode;

/**
 * What to build, in the words of the trainer's flags ({@code --arch --layers --heads --kv-heads --dim --ffn
 * --context}) and of checkpoint headers. Validated here; it maps onto the config record of its architecture,
 * the same record the inference engine reads from GGUF ({@link #toLlamaConfig()}, {@link #toGpt2Config()}), and
 * back ({@link #fromConfig(LlamaConfig, boolean, float)}, {@link #fromConfig(Gpt2Config, boolean, float)}).
 *
 * @param architecture {@code gpt2} or {@code llama}
 * @param layers transformer blocks
 * @param heads query heads
 * @param kvHeads key/value heads (GPT-2: equal to heads)
 * @param dim model width C
 * @param ffn MLP hidden width (GPT-2: 4·C by convention)
 * @param context context length T
 * @param vocabularySize V
 * @param normEpsilon LayerNorm / RMSNorm epsilon
 * @param ropeTheta RoPE base (Llama)
 * @param tiedOutput whether the output projection is the token embedding
 * @param dropout dropout probability during training (0: off)
 * @param bias GPT-2: whether its linear layers and LayerNorms have biases (nanoGPT's {@code bias=False} has none; the
 *     exported files then carry zero biases, which every GPT-2 reader expects); Llama: always false
 */
public record ModelSpec(String architecture, int layers, int heads, int kvHeads, int dim, int ffn, int context,
        int vocabularySize, float normEpsilon, float ropeTheta, boolean tiedOutput, float dropout, boolean bias) {
    /** The RoPE base GPT-2 specs carry: unused by GPT-2, but a spec's theta must be positive. */
    private static final float UNUSED_ROPE_THETA = 10000f;

    public ModelSpec {
        check(architecture.equals("gpt2") || architecture.equals("llama"),
                "architecture '" + architecture + "' cannot be trained (trainable: gpt2, llama)");
        check(layers > 0, "layers " + layers + " must be positive");
        check(heads > 0 && dim % heads == 0, "dim " + dim + " must be a multiple of heads " + heads);
        check(kvHeads > 0 && heads % kvHeads == 0, "heads " + heads + " must be a multiple of kv-heads " + kvHeads);
        check(!architecture.equals("gpt2") || kvHeads == heads, "gpt2 has no grouped-query attention: kv-heads must equal heads");
        check(ffn > 0, "ffn " + ffn + " must be positive");
        check(context > 0, "context " + context + " must be positive");
        check(vocabularySize > 0, "vocabulary size " + vocabularySize + " must be positive");
        check(normEpsilon > 0, "norm epsilon " + normEpsilon + " must be positive");
        check(ropeTheta > 0, "rope theta " + ropeTheta + " must be positive");
        check(dropout >= 0 && dropout < 1, "dropout " + dropout + " must be in [0, 1)");
        check(!architecture.equals("llama") || (dim / heads) % 2 == 0, "llama head size " + dim / heads + " must be even for RoPE");
        check(!architecture.equals("llama") || !bias, "llama has no biases: bias must be false");
    }

    /** A spec with the architecture's usual biases: GPT-2 has them, Llama does not. */
    public ModelSpec(String architecture, int layers, int heads, int kvHeads, int dim, int ffn, int context,
            int vocabularySize, float normEpsilon, float ropeTheta, boolean tiedOutput, float dropout) {
        this(architecture, layers, heads, kvHeads, dim, ffn, context, vocabularySize, normEpsilon, ropeTheta, tiedOutput,
                dropout, defaultBias(architecture));
    }

    /** Whether an architecture has biases unless told otherwise: GPT-2 yes, Llama no. */
    public static boolean defaultBias(String architecture) {
        return "gpt2".equals(architecture);
    }

    private static void check(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException(message);
    }

    public int headDim() {
        return dim / heads;
    }

    /**
     * Checks a batch of token ids (B·T, row-major) against this spec before a forward pass.
     *
     * @throws IllegalArgumentException if B or T is not positive, T exceeds the context, or the ids are not B·T
     */
    public void checkBatch(int[] tokens, int batch, int time) {
        check(batch > 0 && time > 0, "batch " + batch + " x time " + time + " must be positive");
        check(time <= context, "sequence of " + time + " tokens exceeds the context of " + context);
        check(tokens.length == (long) batch * time, tokens.length + " token ids for batch " + batch + " x time " + time);
    }

    /**
     * The spec of a Llama model read from GGUF. Only what the trainable Llama computes maps: heads of width
     * dim/heads, every dimension rotated, adjacent-pair (Meta) RoPE.
     *
     * @throws IllegalArgumentException if {@code c} has a head width, partial rotation or RoPE layout the trainable
     *     Llama does not have
     */
    public static ModelSpec fromConfig(LlamaConfig c, boolean tiedOutput, float dropout) {
        check(c.headDim() * c.headCount() == c.embeddingLength(), "llama head dimension " + c.headDim()
                + " is not embedding_length " + c.embeddingLength() + " / head_count " + c.headCount());
        check(c.ropeDimensions() == c.headDim(), "llama rope.dimension_count " + c.ropeDimensions()
                + " rotates part of the head dimension " + c.headDim() + "; trainable llama rotates all of it");
        check(c.ropeMode() == RopeMode.NORMAL, "llama rope mode " + c.ropeMode() + ": trainable llama pairs adjacent dimensions");
        check(c.isPlainLlama(), "llama config " + c + " has RoPE scaling, biases, Q/K norms or fused projections,"
                + " which the trainable llama does not have");
        return new ModelSpec("llama", c.blockCount(), c.headCount(), c.headCountKv(), c.embeddingLength(),
                c.feedForwardLength(), c.contextLength(), c.vocabularySize(), c.rmsEpsilon(), c.ropeFreqBase(),
                tiedOutput, dropout);
    }

    /** The spec of a GPT-2 model read from GGUF; GPT-2 stores no RoPE base, so the spec gets the default 10000. */
    public static ModelSpec fromConfig(Gpt2Config c, boolean tiedOutput, float dropout) {
        return new ModelSpec("gpt2", c.blockCount(), c.headCount(), c.headCount(), c.embeddingLength(),
                c.feedForwardLength(), c.contextLength(), c.vocabularySize(), c.layerNormEpsilon(), UNUSED_ROPE_THETA,
                tiedOutput, dropout);
    }

    /** This spec as the engine's Llama config. */
    public LlamaConfig toLlamaConfig() {
        check(architecture.equals("llama"), "a " + architecture + " spec has no llama config");
        return new LlamaConfig(dim, ffn, layers, heads, kvHeads, headDim(), vocabularySize, context, normEpsilon,
                ropeTheta, headDim(), RopeMode.NORMAL);
    }

    /** This spec as the engine's GPT-2 config. */
    public Gpt2Config toGpt2Config() {
        check(architecture.equals("gpt2"), "a " + architecture + " spec has no gpt2 config");
        return new Gpt2Config(dim, ffn, layers, heads, vocabularySize, context, normEpsilon);
    }
}

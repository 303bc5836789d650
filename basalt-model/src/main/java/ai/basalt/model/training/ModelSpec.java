package ai.basalt.model.training;

/**
 * What to build, in the words of the trainer's flags ({@code --arch --layers --heads --kv-heads --dim --ffn
 * --context}) and of checkpoint headers. Validated here; each architecture maps it onto its own config
 * record (the same records the inference engine reads from GGUF).
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
 */
public record ModelSpec(String architecture, int layers, int heads, int kvHeads, int dim, int ffn, int context,
        int vocabularySize, float normEpsilon, float ropeTheta, boolean tiedOutput, float dropout) {

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
    }

    private static void check(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException(message);
    }

    public int headDim() {
        return dim / heads;
    }
}

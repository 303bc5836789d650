package ai.basalt.model.training;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parameter names of the PyTorch reference models ({@code tools/pytorch/models.py}: nanoGPT's {@code GPT},
 * which are also Hugging Face's {@code GPT2LMHeadModel} names, and Meta's {@code Llama}) mapped to the GGUF tensor
 * names Basalt's trainable models carry. Shapes agree: both keep linear weights as (out, in).
 */
final class ReferenceNames {
    private static final Map<Pattern, String> GPT2 = rules(
            "transformer\\.wte\\.weight", "token_embd.weight",
            "transformer\\.wpe\\.weight", "position_embd.weight",
            "transformer\\.ln_f\\.(weight|bias)", "output_norm.$1",
            "lm_head\\.weight", "output.weight",
            "transformer\\.h\\.(\\d+)\\.ln_1\\.(weight|bias)", "blk.$1.attn_norm.$2",
            "transformer\\.h\\.(\\d+)\\.attn\\.c_attn\\.(weight|bias)", "blk.$1.attn_qkv.$2",
            "transformer\\.h\\.(\\d+)\\.attn\\.c_proj\\.(weight|bias)", "blk.$1.attn_output.$2",
            "transformer\\.h\\.(\\d+)\\.ln_2\\.(weight|bias)", "blk.$1.ffn_norm.$2",
            "transformer\\.h\\.(\\d+)\\.mlp\\.c_fc\\.(weight|bias)", "blk.$1.ffn_up.$2",
            "transformer\\.h\\.(\\d+)\\.mlp\\.c_proj\\.(weight|bias)", "blk.$1.ffn_down.$2");

    private static final Map<Pattern, String> LLAMA = rules(
            "tok_embeddings\\.weight", "token_embd.weight",
            "norm\\.weight", "output_norm.weight",
            "output\\.weight", "output.weight",
            "layers\\.(\\d+)\\.attention_norm\\.weight", "blk.$1.attn_norm.weight",
            "layers\\.(\\d+)\\.attention\\.wq\\.weight", "blk.$1.attn_q.weight",
            "layers\\.(\\d+)\\.attention\\.wk\\.weight", "blk.$1.attn_k.weight",
            "layers\\.(\\d+)\\.attention\\.wv\\.weight", "blk.$1.attn_v.weight",
            "layers\\.(\\d+)\\.attention\\.wo\\.weight", "blk.$1.attn_output.weight",
            "layers\\.(\\d+)\\.ffn_norm\\.weight", "blk.$1.ffn_norm.weight",
            "layers\\.(\\d+)\\.feed_forward\\.w1\\.weight", "blk.$1.ffn_gate.weight",
            "layers\\.(\\d+)\\.feed_forward\\.w2\\.weight", "blk.$1.ffn_down.weight",
            "layers\\.(\\d+)\\.feed_forward\\.w3\\.weight", "blk.$1.ffn_up.weight");

    private ReferenceNames() {}

    /** The GGUF name of reference parameter {@code torchName} of a {@code gpt2} or {@code llama} model. */
    static String gguf(String architecture, String torchName) {
        Map<Pattern, String> rules = architecture.equals("gpt2") ? GPT2 : LLAMA;
        for (Map.Entry<Pattern, String> rule : rules.entrySet()) {
            Matcher m = rule.getKey().matcher(torchName);
            if (m.matches()) return m.replaceFirst(rule.getValue());
        }
        throw new IllegalArgumentException("no GGUF name for " + architecture + " parameter '" + torchName + "'");
    }

    private static Map<Pattern, String> rules(String... pairs) {
        Map<Pattern, String> rules = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) rules.put(Pattern.compile(pairs[i]), pairs[i + 1]);
        return rules;
    }
}

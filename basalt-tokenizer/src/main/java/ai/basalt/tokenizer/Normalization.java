package ai.basalt.tokenizer;

import java.text.Normalizer;

/**
 * The Unicode normalization a byte-level BPE tokenizer applies to text before pre-tokenizing it: Hugging Face's
 * {@code normalizer} of type {@code NFC}, {@code NFD}, {@code NFKC} or {@code NFKD} (Qwen's {@code tokenizer.json}
 * asks for NFC). It applies to the text between special tokens, whose own texts are matched as written, as Hugging
 * Face matches added tokens that are not {@code normalized}. GGUF has no key for it and llama.cpp normalizes nothing,
 * so a tokenizer read from GGUF has {@link #NONE}.
 */
public enum Normalization {
    NONE(null),
    NFC(Normalizer.Form.NFC),
    NFD(Normalizer.Form.NFD),
    NFKC(Normalizer.Form.NFKC),
    NFKD(Normalizer.Form.NFKD);

    private final Normalizer.Form form;

    Normalization(Normalizer.Form form) {
        this.form = form;
    }

    /** {@code text} normalized; {@code text} itself when it already is. */
    public String apply(String text) {
        if (form == null || Normalizer.isNormalized(text, form)) {
            return text;
        }
        return Normalizer.normalize(text, form);
    }
}

package ai.basalt.model.llama;

/**
 * Llama 3's frequency-dependent RoPE scaling ({@code rope_scaling} of type {@code llama3} in config.json), which GGUF
 * stores as one divisor per rotated pair in {@code rope_freqs.weight}.
 *
 * @param factor the divisor of the lowest frequencies
 * @param lowFreqFactor wavelengths over {@code originalContext / lowFreqFactor} are divided by {@code factor}
 * @param highFreqFactor wavelengths under {@code originalContext / highFreqFactor} are kept
 * @param originalContext {@code original_max_position_embeddings}
 */
public record Llama3RopeScaling(float factor, float lowFreqFactor, float highFreqFactor, int originalContext) {

    /**
     * The {@code ropeDimensions / 2} divisors as {@code convert_hf_to_gguf.py}'s {@code LlamaModel.generate_extra_tensors}
     * computes them, in float32 as torch does: frequencies with a wavelength under {@code originalContext / high} keep
     * theirs (1), over {@code originalContext / low} are divided by {@code factor}, and those between are interpolated.
     */
    public float[] divisors(float theta, int ropeDimensions) {
        float[] out = new float[ropeDimensions / 2];
        float lowWavelength = originalContext / lowFreqFactor;
        float highWavelength = originalContext / highFreqFactor;
        for (int i = 0; i < out.length; i++) {
            float freq = 1f / (float) Math.pow(theta, (float) (2 * i) / ropeDimensions);
            float wavelength = (float) (2 * Math.PI) / freq;
            if (wavelength < highWavelength) {
                out[i] = 1f;
            } else if (wavelength > lowWavelength) {
                out[i] = factor;
            } else {
                float smooth = (originalContext / wavelength - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
                out[i] = 1f / ((1f - smooth) / factor + smooth);
            }
        }
        return out;
    }
}

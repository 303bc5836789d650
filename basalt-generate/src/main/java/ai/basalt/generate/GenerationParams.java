package ai.basalt.generate;

import ai.basalt.generate.sampling.SamplingParams;
import java.util.List;

/**
 * What to generate.
 *
 * @param sampling how to choose each token
 * @param maxTokens the token budget (at least 1)
 * @param stop strings that end generation; they are not part of the output
 */
public record GenerationParams(SamplingParams sampling, int maxTokens, List<String> stop) {

    public GenerationParams {
        if (maxTokens < 1) throw new IllegalArgumentException("max tokens " + maxTokens + " must be at least 1");
        stop = List.copyOf(stop);
        for (String s : stop) {
            if (s.isEmpty()) throw new IllegalArgumentException("a stop string must not be empty");
        }
    }

    public static GenerationParams greedy(int maxTokens) {
        return new GenerationParams(SamplingParams.DEFAULTS.withTemperature(0f), maxTokens, List.of());
    }
}

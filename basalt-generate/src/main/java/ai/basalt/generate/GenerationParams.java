package ai.basalt.generate;

import ai.basalt.generate.sampling.SamplingParams;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What to generate.
 *
 * @param sampling   how to choose each token
 * @param maxTokens  the token budget (at least 1)
 * @param stop       strings that end generation; they are not part of the output
 * @param stopTokens token ids that end generation besides the vocabulary's EOS, such as a chat template's
 *                   end-of-turn tokens ({@code <|eot_id|>}, {@code <|im_end|>}); like EOS, they are not part of
 *                   the output and not run through the model
 */
public record GenerationParams(SamplingParams sampling, int maxTokens, List<String> stop, Set<Integer> stopTokens) {

    public GenerationParams {
        if (maxTokens < 1) throw new IllegalArgumentException("max tokens " + maxTokens + " must be at least 1");
        stop = List.copyOf(stop);
        for (String s : stop) {
            if (s.isEmpty()) throw new IllegalArgumentException("a stop string must not be empty");
        }
        stopTokens = Set.copyOf(stopTokens);
    }

    public GenerationParams(SamplingParams sampling, int maxTokens, List<String> stop) {
        this(sampling, maxTokens, stop, Set.of());
    }

    public static GenerationParams greedy(int maxTokens) {
        return new GenerationParams(SamplingParams.DEFAULTS.withTemperature(0f), maxTokens, List.of());
    }

    /** These parameters, also stopping at {@code more} strings. */
    public GenerationParams withMoreStops(List<String> more) {
        List<String> all = new ArrayList<>(stop);
        for (String s : more) if (!all.contains(s)) all.add(s);
        return new GenerationParams(sampling, maxTokens, all, stopTokens);
    }

    /** These parameters, stopping also at the tokens {@code ids}. */
    public GenerationParams withStopTokens(Set<Integer> ids) {
        return new GenerationParams(sampling, maxTokens, stop, ids);
    }
}

package ai.basalt.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.basalt.generate.sampling.SamplingParams;
import ai.basalt.model.LanguageModel;
import ai.basalt.model.Models;
import ai.basalt.testkit.ConformanceData;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SessionTest {
    private LanguageModel model;

    @BeforeAll
    void load() {
        model = Models.load(ConformanceData.require("models/stories260K/stories260K.gguf"));
    }

    @AfterAll
    void close() {
        if (model != null) model.close();
    }

    @Test
    void emptyPromptStartsTheStoryWithoutALeadingSpace() {
        GenerationResult r = new Session(model, 512).generate("", GenerationParams.greedy(12), TokenListener.NONE);
        assertThat(r.text()).startsWith("Once upon a time, there was");
        assertThat(r.stopReason()).isEqualTo(StopReason.MAX_TOKENS);
        assertThat(r.tokens()).hasSize(12);
        assertThat(r.promptTokens()).isEqualTo(1);
    }

    @Test
    void streamedPiecesAddUpToTheText() {
        List<String> pieces = new ArrayList<>();
        List<Integer> tokens = new ArrayList<>();
        GenerationResult r = new Session(model, 512).generate("Once upon a time", GenerationParams.greedy(30),
                new TokenListener() {
                    @Override
                    public void onText(String text) {
                        pieces.add(text);
                    }

                    @Override
                    public void onToken(int token) {
                        tokens.add(token);
                    }
                });
        assertThat(String.join("", pieces)).isEqualTo(r.text()).startsWith(", there was a little girl named Lily.");
        assertThat(tokens).containsExactlyElementsOf(IntStream.of(r.tokens()).boxed().toList());
    }

    @Test
    void twoTurnsContinueExactlyLikeOne() {
        GenerationResult once = new Session(model, 512).generate("Once upon a time", GenerationParams.greedy(20),
                TokenListener.NONE);
        Session session = new Session(model, 512);
        GenerationResult first = session.generate("Once upon a time", GenerationParams.greedy(8), TokenListener.NONE);
        GenerationResult second = session.generate(new int[0], GenerationParams.greedy(12), TokenListener.NONE);
        assertThat(IntStream.concat(IntStream.of(first.tokens()), IntStream.of(second.tokens())).toArray())
                .containsExactly(once.tokens());
        assertThat(first.text() + second.text()).isEqualTo(once.text());
    }

    @Test
    void stopStringEndsGenerationAndIsNotEmitted() {
        GenerationParams params = new GenerationParams(SamplingParams.DEFAULTS.withTemperature(0), 200, List.of("Lily"));
        GenerationResult r = new Session(model, 512).generate("Once upon a time", params, TokenListener.NONE);
        assertThat(r.stopReason()).isEqualTo(StopReason.STOP_STRING);
        assertThat(r.text()).isEqualTo(", there was a little girl named ");
    }

    @Test
    void aFullContextStopsGeneration() {
        Session session = new Session(model, 20);
        GenerationResult r = session.generate("Once upon a time", GenerationParams.greedy(100), TokenListener.NONE);
        assertThat(r.stopReason()).isEqualTo(StopReason.CONTEXT_FULL);
        assertThat(r.tokens()).hasSize(20 - 5 + 1);
        assertThatThrownBy(() -> session.generate("more", GenerationParams.greedy(5), TokenListener.NONE))
                .isInstanceOf(ContextOverflowException.class)
                .hasMessageContaining("does not fit the context of 20 tokens");
    }

    @Test
    void aPromptLongerThanTheContextIsRefusedBeforeAnyWork() {
        Session session = new Session(model, 8);
        assertThatThrownBy(() -> session.generate("Once upon a time there was a dog", GenerationParams.greedy(5),
                TokenListener.NONE)).isInstanceOf(ContextOverflowException.class).hasMessageContaining("prompt of");
        assertThat(session.position()).isZero();
    }

    @Test
    void truncatingToThePromptRegeneratesTheSameReply() {
        Session session = new Session(model, 512);
        GenerationResult first = session.generate("Once upon a time", GenerationParams.greedy(10), TokenListener.NONE);
        int promptLength = first.promptTokens();
        assertThat(session.tokens()).hasSize(promptLength + 10);
        int last = session.tokens().get(promptLength - 1);
        session.truncate(promptLength - 1);
        GenerationResult again = session.generate(new int[] {last}, GenerationParams.greedy(10), TokenListener.NONE);
        assertThat(again.tokens()).containsExactly(first.tokens());
        assertThatThrownBy(() -> session.truncate(session.position() + 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aStopTokenEndsGenerationLikeEndOfSequence() {
        int[] free = new Session(model, 512).generate("Once upon a time", GenerationParams.greedy(12), TokenListener.NONE)
                .tokens();
        int stopAt = free[5];
        int firstIndex = IntStream.range(0, free.length).filter(i -> free[i] == stopAt).findFirst().orElseThrow();
        GenerationResult r = new Session(model, 512).generate("Once upon a time",
                GenerationParams.greedy(12).withStopTokens(java.util.Set.of(stopAt)), TokenListener.NONE);
        assertThat(r.stopReason()).isEqualTo(StopReason.END_OF_SEQUENCE);
        assertThat(r.tokens()).containsExactly(java.util.Arrays.copyOf(free, firstIndex));
    }
}

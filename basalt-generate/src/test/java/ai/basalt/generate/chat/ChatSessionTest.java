package ai.basalt.generate.chat;

import static org.assertj.core.api.Assertions.assertThat;

import ai.basalt.generate.GenerationParams;
import ai.basalt.generate.GenerationResult;
import ai.basalt.generate.Session;
import ai.basalt.generate.TokenListener;
import ai.basalt.model.LanguageModel;
import ai.basalt.model.Models;
import ai.basalt.testkit.ConformanceData;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Turn-by-turn chat over stories260K, a base model without a template (so the built-in plain transcript). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChatSessionTest {
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
    void aBaseModelGetsThePlainFallback() {
        assertThat(model.chatTemplate()).isEmpty();
        assertThat(ChatTemplates.forModel(model).name()).isEqualTo("built-in " + ChatTemplates.PLAIN);
    }

    @Test
    void theSecondTurnFeedsOnlyWhatTheCacheLacksAndMatchesAFreshRun() {
        ChatTemplate template = ChatTemplates.forModel(model);
        ChatSession chat = new ChatSession(model, template, 512);
        GenerationParams params = GenerationParams.greedy(8);
        GenerationResult first = chat.send(ChatMessage.user("Once upon a time"), params, TokenListener.NONE);
        assertThat(chat.messages()).hasSize(2);
        assertThat(chat.messages().get(1)).isEqualTo(ChatMessage.assistant(first.text().strip()));

        GenerationResult second = chat.send(ChatMessage.user("Lily went"), params, TokenListener.NONE);
        List<ChatMessage> conversation = chat.messages().subList(0, 3);
        int[] whole = ChatSession.tokenize(model, template.render(conversation, true));
        assertThat(second.promptTokens()).isLessThan(whole.length / 2 + 1);

        GenerationResult fresh = new Session(model, 512).generate(whole,
                params.withMoreStops(template.stop()).withStopTokens(ChatTemplates.endOfTurnTokens(model.tokenizer().vocabulary())),
                TokenListener.NONE);
        assertThat(second.tokens()).containsExactly(fresh.tokens());
        assertThat(chat.messages()).hasSize(4);
    }
}

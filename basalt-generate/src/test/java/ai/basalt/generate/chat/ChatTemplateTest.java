package ai.basalt.generate.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.basalt.format.gguf.TokenType;
import ai.basalt.tokenizer.Vocabulary;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Python-isms of Hugging Face templates, the built-ins and the errors, on small inline templates. */
class ChatTemplateTest {
    private static final List<ChatMessage> CONVERSATION = List.of(ChatMessage.system("Be kind."),
            ChatMessage.user("Hi"), ChatMessage.assistant("Hello!"), ChatMessage.user("Bye"));

    private static String render(String source, Map<String, Object> extra) {
        return ChatTemplate.of("test", source, "<s>", "</s>").render(CONVERSATION, true, extra);
    }

    private static String render(String source) {
        return render(source, Map.of());
    }

    @Test
    void pythonStringMethodsFollowPython() {
        assertThat(render("[{{ '  a b  '.strip() }}][{{ '\\nab\\n'.lstrip('\\n') }}][{{ 'xxaxx'.rstrip('x') }}]"))
                .isEqualTo("[a b][ab\n][xxa]");
        assertThat(render("{{ 'a|b||c'.split('|')|join(';') }} {{ ' a  b '.split()|join(';') }} "
                + "{{ 'a,b,c'.split(',', 1)|join(';') }} {{ 'x</think>y'.split('</think>')[-1] }}"))
                .isEqualTo("a;b;;c a;b a;b,c y");
        assertThat(render("{{ 'abc'.startswith('ab') }} {{ 'abc'.endswith('x') }} {{ 'aB'.upper() }}{{ 'aB'.lower() }}"))
                .isEqualTo("true false ABab");
        assertThat(render("{{ 'hello world'.title() }}|{{ 'a.b.c'.replace('.', '-') }}|{{ 'banana'.count('an') }}"))
                .isEqualTo("Hello World|a-b-c|2");
        assertThat(render("{{ 'abc'[1:] }}|{{ ['a', 1] }}")).isEqualTo("bc|['a', 1]");
    }

    @Test
    void reverseSliceNamespaceAndLoopVariables() {
        String source = """
                {% set ns = namespace(last=messages|length - 1, seen=0) %}
                {% for m in messages[::-1] %}{{ m.role }},{% if loop.last %}.{% endif %}{% set ns.seen = ns.seen + 1 %}{% endfor %}
                {{ ns.last }}/{{ ns.seen }}""";
        assertThat(render(source)).isEqualTo("user,assistant,user,system,.3/4");
    }

    @Test
    void whitespaceControlOnExpressionsTrimsBothSides() {
        assertThat(render("A\n    {{- 'x' -}}  \n  B")).isEqualTo("AxB");
        assertThat(render("{% if true %}\n  {{ 'x' }}\n{% endif %}\n")).isEqualTo("  x\n");
    }

    @Test
    void tojsonWritesPythonSpacing() {
        Map<String, Object> tool = new LinkedHashMap<>();
        tool.put("name", "f\"1\"\n");
        tool.put("n", 2);
        tool.put("x", 0.5);
        tool.put("ok", true);
        tool.put("none", null);
        assertThat(render("{{ tools | tojson }}", Map.of("tools", List.of(tool, "é"))))
                .isEqualTo("[{\"name\": \"f\\\"1\\\"\\n\", \"n\": 2, \"x\": 0.5, \"ok\": true, \"none\": null}, \"é\"]");
    }

    @Test
    void specialTokensAndGenerationPromptAreVariables() {
        assertThat(render("{{ bos_token }}{{ messages|length }}{{ add_generation_prompt }}{{ eos_token }}"))
                .isEqualTo("<s>4true</s>");
    }

    @Test
    void strftimeFormatsLikePython() {
        ZonedDateTime t = ZonedDateTime.of(2024, 7, 4, 9, 5, 3, 0, ZoneOffset.UTC);
        assertThat(TemplateFunctions.strftime(t, "%d %b %Y, %A %H:%M:%S %-d/%-m %B %%"))
                .isEqualTo("04 Jul 2024, Thursday 09:05:03 4/7 July %");
        assertThat(render("{{ strftime_now('%Y') }}")).matches("\\d{4}");
    }

    @Test
    void raiseExceptionBecomesAOneLineError() {
        String source = "{% for m in messages %}{% if m.role == 'system' %}{{ raise_exception('System role not supported') }}"
                + "{% endif %}{% endfor %}";
        assertThatThrownBy(() -> ChatTemplate.of("strict.jinja", source, "", "").render(CONVERSATION, true))
                .isInstanceOf(ChatTemplateException.class)
                .hasMessage("chat template strict.jinja raised: System role not supported");
    }

    @Test
    void aSyntaxErrorBecomesAOneLineErrorNamingTheTemplate() {
        assertThatThrownBy(() -> ChatTemplate.of("broken.jinja", "{% for m in messages %}\n{{ m.content }}", "", "")
                .render(CONVERSATION, true))
                .isInstanceOf(ChatTemplateException.class)
                .hasMessageStartingWith("chat template broken.jinja failed")
                .hasMessageContaining("endfor")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        assertThatThrownBy(() -> ChatTemplate.of("broken2.jinja", "{{ messages[ }}", "", "").render(CONVERSATION, true))
                .isInstanceOf(ChatTemplateException.class)
                .hasMessageStartingWith("chat template broken2.jinja failed");
    }

    @Test
    void builtinChatmlRendersTheConversation() {
        ChatTemplate chatml = ChatTemplates.builtin(ChatTemplates.CHATML, "", "");
        assertThat(chatml.render(CONVERSATION, true)).isEqualTo("""
                <|im_start|>system
                Be kind.<|im_end|>
                <|im_start|>user
                Hi<|im_end|>
                <|im_start|>assistant
                Hello!<|im_end|>
                <|im_start|>user
                Bye<|im_end|>
                <|im_start|>assistant
                """);
        assertThat(chatml.render(List.of(ChatMessage.user("x")), false)).isEqualTo("<|im_start|>user\nx<|im_end|>\n");
        assertThat(chatml.stop()).isEmpty();
    }

    @Test
    void builtinPlainIsATranscriptThatStopsAtTheNextUserLine() {
        ChatTemplate plain = ChatTemplates.builtin(ChatTemplates.PLAIN, "", "");
        assertThat(plain.render(CONVERSATION, true)).isEqualTo("Be kind.\n\nUser: Hi\nAssistant: Hello!\nUser: Bye\nAssistant:");
        assertThat(plain.stop()).containsExactly("\nUser:");
        assertThatThrownBy(() -> ChatTemplates.builtin("alpaca", "", ""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("alpaca");
    }

    @Test
    void fallbackAndEndOfTurnTokensComeFromTheVocabulary() {
        Vocabulary chatml = vocabulary("a", "b", "<|im_start|>", "<|im_end|>", "<|endoftext|>");
        assertThat(ChatTemplates.fallbackName(chatml)).isEqualTo(ChatTemplates.CHATML);
        assertThat(ChatTemplates.endOfTurnTokens(chatml)).containsExactlyInAnyOrder(1, 3, 4);
        Vocabulary base = vocabulary("a", "b", "c");
        assertThat(ChatTemplates.fallbackName(base)).isEqualTo(ChatTemplates.PLAIN);
        assertThat(ChatTemplates.endOfTurnTokens(base)).containsExactly(1);
    }

    @Test
    void huggingFaceFieldIsAStringOrANamedList() {
        assertThat(ChatTemplates.fromHuggingFace("{{ x }}", null)).isEqualTo("{{ x }}");
        List<Map<String, String>> list = List.of(Map.of("name", "default", "template", "D"),
                Map.of("name", "tool_use", "template", "T"));
        assertThat(ChatTemplates.fromHuggingFace(list, null)).isEqualTo("D");
        assertThat(ChatTemplates.fromHuggingFace(list, "tool_use")).isEqualTo("T");
        assertThatThrownBy(() -> ChatTemplates.fromHuggingFace(list, "rag"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rag").hasMessageContaining("tool_use");
        assertThatThrownBy(() -> ChatTemplates.fromHuggingFace(42, null)).isInstanceOf(IllegalArgumentException.class);
    }

    /** A vocabulary whose EOS is token 1. */
    private static Vocabulary vocabulary(String... tokens) {
        TokenType[] types = new TokenType[tokens.length];
        Arrays.fill(types, TokenType.NORMAL);
        return new Vocabulary(tokens, new float[tokens.length], types, -1, 1, -1, -1, false, false, false);
    }
}

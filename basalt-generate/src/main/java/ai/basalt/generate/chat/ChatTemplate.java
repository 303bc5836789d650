package ai.basalt.generate.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import ai.basalt.generate.chat.TemplateFunctions.RaisedByTemplate;
import jinjava.javax.el.CompositeELResolver;

/**
 * A Jinja chat template, rendered the way Hugging Face {@code apply_chat_template} renders it: Jinja with
 * {@code trim_blocks} and {@code lstrip_blocks}, the globals {@code raise_exception} and {@code strftime_now},
 * the {@code tojson} filter, and the variables {@code messages}, {@code add_generation_prompt},
 * {@code bos_token} and {@code eos_token}. jinjava does the Jinja; this class adds what Python's jinja2 has and
 * jinjava lacks: Python string methods ({@link PythonStringMethods}), {@code [::-1]} (rewritten to
 * {@code |reverse}), keyword arguments of {@code namespace(...)} that are whole expressions
 * ({@link NamespaceArguments}) and the removal of one trailing newline (jinja2's
 * {@code keep_trailing_newline=False}). jinjava's legacy overrides are set to jinja2's behaviour where it has them:
 * whitespace control on expressions as well as statements, and Python's way of printing lists and dicts.
 *
 * <p>Immutable and safe to share between threads.
 */
public final class ChatTemplate {
    /** Python's reversing slice, which jinjava's expression parser rejects. */
    private static final Pattern REVERSE_SLICE = Pattern.compile("\\[\\s*:\\s*:\\s*-1\\s*]");

    private final String name;
    private final String template;
    private final String bosToken;
    private final String eosToken;
    private final List<String> stop;
    private final Jinjava jinjava;

    private ChatTemplate(String name, String template, String bosToken, String eosToken, List<String> stop) {
        this.name = name;
        this.template = template;
        this.bosToken = bosToken;
        this.eosToken = eosToken;
        this.stop = List.copyOf(stop);
        this.jinjava = newEngine();
    }

    /**
     * A template from Jinja source.
     *
     * @param name     where it came from, for messages (e.g. {@code tokenizer.chat_template of model.gguf})
     * @param source   the Jinja source
     * @param bosToken the text of the tokenizer's BOS token ({@code bos_token}), or empty
     * @param eosToken the text of the tokenizer's EOS token ({@code eos_token}), or empty
     */
    public static ChatTemplate of(String name, String source, String bosToken, String eosToken) {
        return of(name, source, bosToken, eosToken, List.of());
    }

    /**
     * A template whose turns end with text rather than with a special token, so generation must also stop at
     * {@code stop} (the built-in plain transcript: {@code "\nUser:"}).
     */
    static ChatTemplate of(String name, String source, String bosToken, String eosToken, List<String> stop) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(source, "source");
        return new ChatTemplate(name, preprocess(source), Objects.requireNonNull(bosToken, "bosToken"),
                Objects.requireNonNull(eosToken, "eosToken"), stop);
    }

    /**
     * Strings that end an assistant turn besides the end-of-turn tokens ({@link ChatTemplates#endOfTurnTokens}):
     * empty for templates whose turns end with a special token.
     */
    public List<String> stop() {
        return stop;
    }

    /** Where this template came from. */
    public String name() {
        return name;
    }

    /**
     * The prompt text for {@code messages}.
     *
     * @param addGenerationPrompt end with the header of an assistant turn, for the model to fill
     * @param extra               further template variables (e.g. {@code enable_thinking}, {@code tools});
     *                            they override the standard ones of the same name
     * @throws ChatTemplateException if the template does not parse, fails, or calls {@code raise_exception}
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, Map<String, Object> extra) {
        Map<String, Object> context = new HashMap<>();
        List<Map<String, Object>> values = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) values.add(m.toTemplateValue());
        context.put("messages", values);
        context.put("add_generation_prompt", addGenerationPrompt);
        context.put("bos_token", bosToken);
        context.put("eos_token", eosToken);
        context.putAll(extra);
        RenderResult result;
        try {
            result = jinjava.renderForResult(template, context);
        } catch (RuntimeException e) {
            throw failure(e);
        }
        for (TemplateError error : result.getErrors()) {
            if (error.getSeverity() == TemplateError.ErrorType.FATAL) throw failure(error);
        }
        return result.getOutput();
    }

    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        return render(messages, addGenerationPrompt, Map.of());
    }

    @Override
    public String toString() {
        return "ChatTemplate[" + name + "]";
    }

    static String preprocess(String source) {
        String s = REVERSE_SLICE.matcher(source).replaceAll("|reverse");
        s = NamespaceArguments.parenthesize(s);
        // jinja2 (keep_trailing_newline=False) drops one newline at the very end of the template.
        if (s.endsWith("\n")) s = s.substring(0, s.length() - 1);
        return s;
    }

    private static Jinjava newEngine() {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonStringMethods());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_WRITE);
        LegacyOverrides jinja2 = LegacyOverrides.newBuilder()
                .withParseWhitespaceControlStrictly(true)
                .withUseTrimmingForNotesAndExpressions(true)
                .withUsePyishObjectMapper(true)
                .build();
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withLegacyOverrides(jinja2)
                .withElResolver(resolver)
                .build();
        Jinjava jinjava = new Jinjava(config);
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception",
                TemplateFunctions.class, "raiseException", String.class));
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "strftime_now",
                TemplateFunctions.class, "strftimeNow", String.class));
        jinjava.getGlobalContext().registerFilter(new PythonJson());
        return jinjava;
    }

    private ChatTemplateException failure(TemplateError error) {
        Throwable cause = error.getException();
        RaisedByTemplate raised = raisedIn(cause);
        if (raised != null) return raised(raised);
        String where = error.getLineno() > 0 ? " at line " + error.getLineno() : "";
        return new ChatTemplateException("chat template " + name + " failed" + where + ": " + oneLine(error.getMessage()));
    }

    private ChatTemplateException failure(RuntimeException e) {
        RaisedByTemplate raised = raisedIn(e);
        if (raised != null) return raised(raised);
        return new ChatTemplateException("chat template " + name + " failed: " + oneLine(String.valueOf(e.getMessage())));
    }

    private ChatTemplateException raised(RaisedByTemplate raised) {
        return new ChatTemplateException("chat template " + name + " raised: " + oneLine(raised.getMessage()));
    }

    private static RaisedByTemplate raisedIn(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RaisedByTemplate r) return r;
        }
        return null;
    }

    private static String oneLine(String message) {
        return message == null ? "" : message.replaceAll("\\s*\\R\\s*", " ").strip();
    }
}

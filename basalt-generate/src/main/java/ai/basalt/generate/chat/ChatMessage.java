package ai.basalt.generate.chat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One message of a conversation, as chat templates see it ({@code message.role}, {@code message.content}).
 *
 * @param role    who speaks: {@code system}, {@code user}, {@code assistant} or {@code tool}
 * @param content what is said; may be empty
 */
public record ChatMessage(String role, String content) {

    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
        if (role.isBlank()) throw new IllegalArgumentException("a chat message needs a role, got a blank one");
    }

    public static ChatMessage system(String content) {
        return new ChatMessage("system", content);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage("user", content);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage("assistant", content);
    }

    /** The message as the template's {@code messages} list holds it: a dict of its fields. */
    Map<String, Object> toTemplateValue() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("role", role);
        value.put("content", content);
        return value;
    }
}

/**
 * Chat templates: the Jinja programs that models ship (GGUF {@code tokenizer.chat_template}, Hugging Face
 * {@code tokenizer_config.json} {@code chat_template}) to turn a list of {@link ai.basalt.generate.chat.ChatMessage}s
 * into the prompt text the model was trained on. {@link ai.basalt.generate.chat.ChatTemplate} renders them with
 * jinjava, configured like the Hugging Face {@code apply_chat_template} environment (trim_blocks, lstrip_blocks,
 * {@code raise_exception}, {@code tojson}, {@code strftime_now}) plus the Python string methods templates call;
 * {@link ai.basalt.generate.chat.ChatTemplates} picks a model's template or a named built-in fallback, and the
 * end-of-turn tokens to stop generation at; {@link ai.basalt.generate.chat.ChatSession} runs a conversation turn by
 * turn over a {@link ai.basalt.generate.Session}, feeding only what its KV cache lacks. Every chat front end (the CLI,
 * a server) goes through these classes. Chat templates stay at this edge: the engine only sees tokens.
 */
package ai.basalt.generate.chat;

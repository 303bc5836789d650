/**
 * The Basalt server: the hub's models through the APIs clients already speak (OpenAI, Ollama, Amazon Bedrock).
 * JSON and HTTP stay at the edge: each API turns requests into records, and one scheduler per model owns its KV
 * caches.
 */
package ai.basalt.server;

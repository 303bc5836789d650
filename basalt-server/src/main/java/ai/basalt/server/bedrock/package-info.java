/**
 * The Amazon Bedrock Runtime API ({@link ai.basalt.server.bedrock.BedrockApi}): Converse and ConverseStream over the
 * model's chat template, InvokeModel and InvokeModelWithResponseStream with a Llama-style native body
 * ({@link ai.basalt.server.bedrock.NativeInvoke}), streams written as AWS event stream messages
 * ({@link ai.basalt.server.bedrock.EventStreamEncoder}). Tool use, guardrails and image or document blocks are
 * refused with a {@code ValidationException} for now.
 */
package ai.basalt.server.bedrock;

/**
 * Optimization with PyTorch's exact semantics: {@link ai.basalt.nn.optim.AdamW} over
 * {@link ai.basalt.nn.optim.ParamGroup}s (no decay for norms, biases, embeddings), nanoGPT's warm-up plus
 * cosine {@link ai.basalt.nn.optim.CosineSchedule}, and {@link ai.basalt.nn.optim.GradClip} by global norm.
 * Optimizer state (moments, step counts) is exposed as arrays so the trainer can checkpoint it.
 * Extension point: another schedule implements {@link ai.basalt.nn.optim.LrSchedule}.
 */
package ai.basalt.nn.optim;

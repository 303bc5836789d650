/**
 * The trainer: trains a {@link ai.basalt.model.training.TrainableModel} from scratch on token shards, as nanoGPT's
 * {@code train.py} does, with checkpoints from which a run continues bit for bit.
 *
 * <p>{@link ai.basalt.train.TrainingConfig} holds every setting; {@link ai.basalt.train.ConfigKey} is the one place
 * that names them for config files ({@code kv_heads}) and flags ({@code --kv-heads}), with their defaults, and
 * {@link ai.basalt.train.TrainingConfigs} layers defaults, a resumed checkpoint's settings, a JSON file and flags.
 * {@link ai.basalt.train.Trainer} runs the loop (gradient accumulation, clipping, warm-up + cosine learning rate,
 * AdamW, loss estimates on separate loaders) and writes the output folder: {@code checkpoint.bin}
 * ({@link ai.basalt.train.CheckpointFile}: magic, version, JSON header, float32 blocks, CRC-32C, atomic
 * replacement), {@code metrics.jsonl}, {@code loss.png}, {@code model.gguf}, {@code hf/} and {@code MODEL_CARD.md}.
 * Progress reaches a {@link ai.basalt.train.TrainingListener}; the CLI draws a progress bar with it.
 *
 * <p>Errors: a bad setting is a {@link ai.basalt.train.ConfigException}, a checkpoint that is corrupt, truncated, of
 * another version or of another model, tokenizer or data a {@link ai.basalt.train.CheckpointException}; both carry
 * one line naming the file or setting.
 *
 * <p>Extension points: a new setting is a {@code ConfigKey} constant and a {@code TrainingConfig} field; a new model
 * comes in through a {@link ai.basalt.train.ModelFactory} (by default basalt-model's architectures); another
 * learning-rate schedule is an {@code ai.basalt.nn.optim.LrSchedule}.
 */
package ai.basalt.train;

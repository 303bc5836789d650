package ai.basalt.train;

import ai.basalt.model.training.TrainableModel;
import java.nio.file.Path;

/**
 * What a finished run leaves.
 *
 * @param model          the trained model
 * @param steps          optimizer steps done
 * @param lastTrainLoss  the last step's batch loss (NaN if this session ran no step)
 * @param evaluation     the final loss estimate
 * @param out            the output folder, holding the files below
 * @param checkpoint     {@code checkpoint.bin}
 * @param metrics        {@code metrics.jsonl}
 * @param plot           {@code loss.png}
 * @param gguf           {@code model.gguf}
 * @param huggingFace    {@code hf/}
 * @param modelCard      {@code MODEL_CARD.md}
 */
public record TrainingResult(TrainableModel model, long steps, float lastTrainLoss, Evaluation evaluation, Path out,
        Path checkpoint, Path metrics, Path plot, Path gguf, Path huggingFace, Path modelCard) {}

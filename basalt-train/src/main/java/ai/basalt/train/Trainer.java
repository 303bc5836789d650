package ai.basalt.train;

import ai.basalt.model.training.ModelSpec;
import ai.basalt.nn.Graph;
import ai.basalt.nn.OpProfile;
import ai.basalt.nn.Var;
import ai.basalt.nn.optim.CosineSchedule;
import ai.basalt.nn.optim.GradClip;
import ai.basalt.nn.optim.LrSchedule;
import ai.basalt.tensor.Parallel;
import ai.basalt.tokenizer.Tokenizer;
import ai.basalt.train.data.BatchLoader;
import ai.basalt.train.data.DataPreparer;
import ai.basalt.train.data.TokenShard;
import ai.basalt.train.data.TokenizerFiles;
import ai.basalt.train.data.TokenizerFingerprint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Trains a model from scratch on prepared token shards, nanoGPT's {@code train.py} loop: each step adds up the
 * gradients of {@code accumulate} micro-batches (each loss scaled by 1/accumulate), clips the global gradient norm,
 * takes the learning rate from the warm-up + cosine schedule and makes one AdamW update. Every
 * {@code eval_interval} steps it estimates the train and validation loss ({@link LossEstimator}), every
 * {@code log_interval} steps it writes a metrics line, every {@code checkpoint_interval} steps a checkpoint, and at
 * the end the model as GGUF and Hugging Face files, the loss plot and the model card.
 *
 * <p>Output folder:
 * <pre>
 *   checkpoint.bin        {@link CheckpointFile}, replaced atomically
 *   metrics.jsonl         {@link MetricsLog}
 *   loss.png              {@link LossPlot}
 *   training_config.json  the resolved settings, usable as {@code --config}
 *   model.gguf, hf/       the trained model, for Basalt, llama.cpp and transformers
 *   MODEL_CARD.md         {@link ModelCard}
 * </pre>
 *
 * <p>Exact resume: everything that changes from step to step is in the checkpoint ({@link TrainingState}); the
 * schedule is a function of the step; evaluation draws from loaders of its own and never touches the dropout
 * generator; every kernel reduces in a fixed order for a given thread count. So a run resumed from step s, with the
 * same seed and threads, computes the very same floats as one that never stopped.
 */
public final class Trainer {
    public static final String CHECKPOINT_FILE = "checkpoint.bin";
    public static final String METRICS_FILE = "metrics.jsonl";
    public static final String PLOT_FILE = "loss.png";
    public static final String CONFIG_FILE = "training_config.json";
    public static final String GGUF_FILE = "model.gguf";
    public static final String HUGGING_FACE_FOLDER = "hf";
    public static final String MODEL_CARD_FILE = "MODEL_CARD.md";

    private final TrainingConfig config;
    private final ModelFactory models;
    private final TrainingListener listener;

    public Trainer(TrainingConfig config, ModelFactory models, TrainingListener listener) {
        this.config = Objects.requireNonNull(config, "config");
        this.models = Objects.requireNonNull(models, "models");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /**
     * Runs to {@code steps}: from scratch, or with {@code resume} from the output folder's checkpoint.
     *
     * @throws CheckpointException if resuming from a missing, corrupt or mismatched checkpoint, or starting afresh
     *     over an existing one
     * @throws ai.basalt.train.data.TokenShardFormatException if a shard is malformed or made by another tokenizer
     */
    public TrainingResult run(boolean resume) {
        Path out = config.out();
        Path checkpointFile = out.resolve(CHECKPOINT_FILE);
        Checkpoint checkpoint = resume ? CheckpointFile.read(checkpointFile) : null;
        if (!resume && Files.exists(checkpointFile)) {
            throw new CheckpointException(checkpointFile + ": holds the checkpoint of an earlier run; resume it with "
                    + "--resume or choose another --out");
        }
        createFolder(out);
        AtomicFiles.deleteLeftovers(out, CHECKPOINT_FILE, METRICS_FILE, PLOT_FILE, CONFIG_FILE, MODEL_CARD_FILE);
        Tokenizer tokenizer = TokenizerFiles.load(config.tokenizer());
        int previousThreads = Parallel.threads();
        Parallel.setThreads(config.threads());
        try (TokenShard train = openShard(DataPreparer.TRAIN_FILE, tokenizer);
                TokenShard validation = openShard(DataPreparer.VALIDATION_FILE, tokenizer)) {
            RunIdentity id = new RunIdentity(config.modelSpec(tokenizer.vocabulary().size()),
                    TokenizerFingerprint.of(tokenizer), identity(train), identity(validation));
            List<String> warnings = checkpoint == null ? List.of()
                    : id.requireMatch(checkpointFile, checkpoint.header(), config);
            TrainingState state = TrainingState.create(config, id.spec(), models, train, validation);
            if (checkpoint != null) {
                warnings.forEach(listener::message);
                state.restore(checkpointFile, checkpoint);
                if (state.step > config.steps()) {
                    throw new CheckpointException(checkpointFile + ": the checkpoint is at step " + state.step
                            + ", past steps " + config.steps() + "; raise --steps to train on");
                }
                listener.message("resuming from " + checkpointFile + " at step " + state.step);
            }
            if (state.evalValidationLoader == null) {
                listener.message("warning: " + validation.path() + " holds " + validation.tokenCount()
                        + " tokens, fewer than one window of " + (config.context() + 1) + ": no validation loss");
            }
            TrainingConfigs.write(config, out.resolve(CONFIG_FILE));
            try (MetricsLog metrics = MetricsLog.open(out.resolve(METRICS_FILE), state.step)) {
                float lastLoss = loop(state, id, metrics);
                return finish(state, id, tokenizer, metrics, lastLoss, samplePrompt(validation, train));
            }
        } finally {
            Parallel.setThreads(previousThreads);
        }
    }

    /** Steps until {@code steps}; returns the last step's loss (NaN if none ran). */
    private float loop(TrainingState s, RunIdentity id, MetricsLog metrics) {
        Graph graph = new Graph();
        // -Dbasalt.profile.ops=true: wall time per op from the 50th step of this session on (after JIT warm-up)
        OpProfile profile = null;
        long profileFrom = Boolean.getBoolean("basalt.profile.ops") ? s.step + 50 : Long.MAX_VALUE;
        LossEstimator estimator = new LossEstimator(graph, config.evalBatches());
        LrSchedule schedule = new CosineSchedule(config.lr(), config.minLr(), config.warmup(), config.lrDecaySteps());
        double maxNorm = config.gradClip() > 0 ? config.gradClip() : Double.POSITIVE_INFINITY;
        double elapsedBefore = s.elapsedSeconds;
        long sessionStart = System.nanoTime();
        long windowTokens = 0;
        long windowNanos = 0;
        float loss = Float.NaN;
        listener.started(s.step, config.steps(), s.parameterCount());
        if (config.torchRng() && s.step == 0) {
            // nanoGPT evaluates before its first step; its batches are part of the stream this run follows
            Evaluation before = estimator.estimate(0, s.model, s.evalTrainLoader, s.evalValidationLoader);
            listener.message(String.format(Locale.ROOT, "step 0: train loss %.4f, val loss %.4f",
                    before.trainLoss(), before.validationLoss()));
        }
        while (s.step < config.steps()) {
            if (s.step == profileFrom) {
                profile = new OpProfile();
                graph.setProfile(profile);
            }
            long t0 = System.nanoTime();
            double lr = schedule.lr(s.step);
            loss = accumulateGradients(s, graph);
            long t1 = System.nanoTime();
            float gradNorm = GradClip.clipGlobalNorm(s.params, maxNorm);
            long t2 = System.nanoTime();
            s.optimizer.step(lr);
            s.optimizer.zeroGrad();
            if (profile != null) {
                profile.add("gradClip", false, t2 - t1);
                profile.add("adamw", false, System.nanoTime() - t2);
            }
            s.step++;
            s.tokensSeen += config.tokensPerStep();
            windowTokens += config.tokensPerStep();
            windowNanos += System.nanoTime() - t0;

            long step = s.step;
            boolean last = step == config.steps();
            Evaluation evaluation = Evaluation.NONE;
            if (step % config.evalInterval() == 0 || last) {
                evaluation = estimator.estimate(step, s.model, s.evalTrainLoader, s.evalValidationLoader);
                s.lastEvaluation = evaluation;
            }
            s.elapsedSeconds = elapsedBefore + (System.nanoTime() - sessionStart) / 1e9;
            StepMetrics m = new StepMetrics(step, loss, lr, gradNorm, windowTokens / Math.max(1e-9, windowNanos / 1e9),
                    s.elapsedSeconds, evaluation);
            boolean logged = step % config.logInterval() == 0 || !evaluation.isNone();
            if (logged) {
                metrics.append(m);
                windowTokens = 0;
                windowNanos = 0;
            }
            if (step % config.checkpointInterval() == 0 || last) checkpoint(s, id, metrics);
            listener.step(m, logged);
        }
        if (profile != null) profile.report().forEach(listener::message);
        return loss;
    }

    /** Adds up the gradients of {@code accumulate} micro-batches; returns their mean loss. */
    private float accumulateGradients(TrainingState s, Graph graph) {
        double sum = 0;
        for (int micro = 0; micro < config.accumulate(); micro++) {
            BatchLoader.Batch b = s.trainLoader.next();
            graph.reset();
            Var loss = s.model.loss(graph, b.inputs(), b.targets(), b.rows(), b.contextLength());
            sum += loss.item();
            graph.backward(loss, 1f / config.accumulate());
        }
        graph.reset();
        float mean = (float) (sum / config.accumulate());
        if (!Float.isFinite(mean)) {
            throw new IllegalStateException("step " + (s.step + 1) + ": the training loss is " + mean
                    + "; lower --lr, lengthen --warmup or set --grad-clip, then --resume from the last checkpoint");
        }
        return mean;
    }

    private void checkpoint(TrainingState s, RunIdentity id, MetricsLog metrics) {
        metrics.sync();
        Path file = config.out().resolve(CHECKPOINT_FILE);
        CheckpointFile.write(file, s.capture(config, id));
        LossPlot.write(config.out().resolve(PLOT_FILE), metrics.history(), plotTitle());
        listener.message("step " + s.step + ": wrote " + file);
    }

    /** The model files, the final plot and the model card. */
    private TrainingResult finish(TrainingState s, RunIdentity id, Tokenizer tokenizer, MetricsLog metrics,
            float lastLoss, int[] prompt) {
        Path out = config.out();
        Path gguf = out.resolve(GGUF_FILE);
        s.model.writeGguf(gguf, tokenizer, modelName());
        Path hf = out.resolve(HUGGING_FACE_FOLDER);
        s.model.writeHuggingFace(hf, tokenizer);
        Path plot = out.resolve(PLOT_FILE);
        LossPlot.write(plot, metrics.history(), plotTitle());
        Path card = out.resolve(MODEL_CARD_FILE);
        new ModelCard(config, id, s, tokenizer, modelName(), prompt).write(card, gguf);
        listener.message("wrote " + gguf + ", " + hf + ", " + plot + " and " + card);
        return new TrainingResult(s.model, s.step, lastLoss, s.lastEvaluation, out, out.resolve(CHECKPOINT_FILE),
                out.resolve(METRICS_FILE), plot, gguf, hf, card);
    }

    /** The model's name in its files: the output folder's name. */
    private String modelName() {
        Path name = config.out().getFileName();
        return name == null ? "basalt-" + config.architecture() : name.toString();
    }

    private String plotTitle() {
        ModelSpec spec = config.modelSpec(1);
        return modelName() + ": " + spec.architecture() + ", " + spec.layers() + " layers, width " + spec.dim();
    }

    private TokenShard openShard(String name, Tokenizer tokenizer) {
        Path file = config.data().resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": no such token shard (make " + DataPreparer.TRAIN_FILE + " and "
                    + DataPreparer.VALIDATION_FILE + " with 'basalt data prepare --out " + config.data() + "')");
        }
        TokenShard shard = TokenShard.open(file);
        try {
            shard.requireTokenizer(tokenizer);
            return shard;
        } catch (RuntimeException e) {
            shard.close();
            throw e;
        }
    }

    /** The start of the validation text (or of the training text if that is empty), for the card's samples. */
    private int[] samplePrompt(TokenShard validation, TokenShard train) {
        TokenShard source = validation.tokenCount() > 0 ? validation : train;
        int n = (int) Math.min(Math.max(1, config.context() / 4), Math.min(16, source.tokenCount()));
        int[] prompt = new int[n];
        source.read(0, prompt, 0, n);
        return prompt;
    }

    private static Checkpoint.ShardIdentity identity(TokenShard shard) {
        return new Checkpoint.ShardIdentity(shard.tokenCount(), shard.checksum());
    }

    private static void createFolder(Path folder) {
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new UncheckedIOException(folder + ": cannot create output folder (" + e + ")", e);
        }
    }
}

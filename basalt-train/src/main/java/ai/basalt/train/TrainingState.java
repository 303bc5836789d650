package ai.basalt.train;

import ai.basalt.model.training.ModelSpec;
import ai.basalt.model.training.TrainableModel;
import ai.basalt.nn.Init;
import ai.basalt.nn.Rng;
import ai.basalt.nn.TorchGenerator;
import ai.basalt.nn.Var;
import ai.basalt.nn.optim.AdamW;
import ai.basalt.nn.optim.ParamGroup;
import ai.basalt.train.data.BatchLoader;
import ai.basalt.train.data.TokenShard;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything of a run that changes from step to step, and so goes into a checkpoint: parameters, AdamW moments and
 * step counts, the three batch loaders, the generators, and the counters. {@link #capture} and {@link #restore} are
 * exact inverses, which is what makes a resumed run bit-identical to an uninterrupted one.
 */
final class TrainingState {
    final TrainableModel model;
    /** In {@code model.parameters()} order, the checkpoint's order. */
    final List<Var> params;
    final AdamW optimizer;
    /** For parameter i, its index in the optimizer's state (the optimizer groups decaying weights first). */
    private final int[] optimizerIndex;
    final BatchLoader trainLoader;
    final BatchLoader evalTrainLoader;
    /** Null when the validation shard is shorter than one window. */
    final BatchLoader evalValidationLoader;
    final Rng initRng;
    final Rng dropoutRng;
    long step;
    long tokensSeen;
    double elapsedSeconds;
    Evaluation lastEvaluation = Evaluation.NONE;

    private TrainingState(TrainingConfig config, TrainableModel model, Rng initRng, TorchGenerator torch,
            TokenShard train, TokenShard validation) {
        this.model = model;
        this.dropoutRng = model.dropoutRng();
        this.initRng = initRng;
        this.params = List.copyOf(model.parameters());
        this.optimizer = new AdamW(config.decayEmbeddings()
                ? ParamGroup.decayingMatrices(params, config.weightDecay())
                : ParamGroup.decayingWeights(params, config.weightDecay()), config.beta1(), config.beta2(), config.eps());
        Map<Var, Integer> index = new IdentityHashMap<>();
        List<Var> order = optimizer.params();
        for (int k = 0; k < order.size(); k++) index.put(order.get(k), k);
        this.optimizerIndex = params.stream().mapToInt(index::get).toArray();
        int b = config.batch();
        int t = config.context();
        boolean hasValidation = validation.tokenCount() > t;
        if (torch != null) {
            // nanoGPT draws the first training batch right after building the model
            this.trainLoader = BatchLoader.torch(train, b, t, torch, true);
            this.evalTrainLoader = BatchLoader.torch(train, b, t, torch, false);
            this.evalValidationLoader = hasValidation ? BatchLoader.torch(validation, b, t, torch, false) : null;
        } else {
            this.trainLoader = BatchLoader.random(train, b, t, config.seed());
            this.evalTrainLoader = BatchLoader.random(train, b, t, config.seed() + 1);
            this.evalValidationLoader = hasValidation ? BatchLoader.random(validation, b, t, config.seed() + 2) : null;
        }
    }

    /**
     * A fresh run: the model initialized from the seed, the loaders at their seeds' first draws. With
     * {@link TrainingConfig#torchRng()} the weights are drawn again from PyTorch's generator as nanoGPT draws them,
     * and the loaders continue that generator's stream.
     */
    static TrainingState create(TrainingConfig config, ModelSpec spec, ModelFactory models, TokenShard train,
            TokenShard validation) {
        Rng initRng = new Rng(config.seed());
        TrainableModel model = models.create(spec, initRng);
        TorchGenerator torch = null;
        if (config.torchRng()) {
            torch = new TorchGenerator(config.seed());
            model.initializeAsPyTorch(torch);
        }
        return new TrainingState(config, model, initRng, torch, train, validation);
    }

    long parameterCount() {
        long n = 0;
        for (Var p : params) n += p.size();
        return n;
    }

    /** The checkpoint of this state; its arrays are the live ones, so write it before the next step. */
    Checkpoint capture(TrainingConfig config, RunIdentity id) {
        List<Checkpoint.Tensor> tensors = new ArrayList<>(params.size());
        for (int i = 0; i < params.size(); i++) {
            Var p = params.get(i);
            int k = optimizerIndex[i];
            float[] values = p.data().length == p.size() ? p.data() : Arrays.copyOf(p.data(), p.size());
            tensors.add(new Checkpoint.Tensor(p.name(), p.kind(), p.shape(), optimizer.step(k), values,
                    optimizer.expAvg(k), optimizer.expAvgSq(k)));
        }
        Checkpoint.Header header = new Checkpoint.Header(config, id.spec(), id.tokenizerFingerprint(), id.trainData(),
                id.validationData(), step, tokensSeen, elapsedSeconds, trainLoader.state(), evalTrainLoader.state(),
                evalValidationLoader == null ? null : evalValidationLoader.state(), initRng.state(), dropoutRng.state(),
                lastEvaluation);
        return new Checkpoint(header, tensors);
    }

    /**
     * Puts the state of {@code checkpoint} (read from {@code file}, already matched to this run) back in place.
     *
     * @throws CheckpointException naming the file if its tensors or loaders do not fit the model and data
     */
    void restore(Path file, Checkpoint checkpoint) {
        List<Checkpoint.Tensor> tensors = checkpoint.tensors();
        if (tensors.size() != params.size()) {
            throw new CheckpointException(file + ": holds " + tensors.size() + " parameters, the model has " + params.size());
        }
        for (int i = 0; i < params.size(); i++) {
            Checkpoint.Tensor t = tensors.get(i);
            Var p = params.get(i);
            if (!t.name().equals(p.name()) || !Arrays.equals(t.shape(), p.shape()) || t.kind() != p.kind()) {
                throw new CheckpointException(file + ": parameter " + i + " is " + t.name() + " " + t.kind() + " "
                        + Arrays.toString(t.shape()) + " in the checkpoint, " + p.name() + " " + p.kind() + " "
                        + Arrays.toString(p.shape()) + " in the model");
            }
            int k = optimizerIndex[i];
            Init.copy(p, t.values());
            System.arraycopy(t.expAvg(), 0, optimizer.expAvg(k), 0, t.size());
            System.arraycopy(t.expAvgSq(), 0, optimizer.expAvgSq(k), 0, t.size());
            optimizer.setStep(k, t.adamStep());
        }
        Checkpoint.Header h = checkpoint.header();
        if ((h.evalValidationLoader() == null) != (evalValidationLoader == null)) {
            throw new CheckpointException(file + ": the validation loader's state does not fit val.tokens");
        }
        try {
            trainLoader.restore(h.trainLoader());
            evalTrainLoader.restore(h.evalTrainLoader());
            if (evalValidationLoader != null) evalValidationLoader.restore(h.evalValidationLoader());
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file + ": a loader state does not fit the data (" + e.getMessage() + ")", e);
        }
        initRng.restore(h.initRng());
        dropoutRng.restore(h.dropoutRng());
        step = h.step();
        tokensSeen = h.tokensSeen();
        elapsedSeconds = h.elapsedSeconds();
        lastEvaluation = h.lastEvaluation();
    }
}

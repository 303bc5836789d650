package ai.basalt.train;

import ai.basalt.model.training.TrainableModel;
import ai.basalt.nn.Graph;
import ai.basalt.train.data.BatchLoader;

/**
 * nanoGPT's {@code estimate_loss}: the mean loss over a fixed number of batches of each shard, in evaluation mode
 * (no dropout, no gradients). The batches come from loaders of their own, so evaluating never moves the training
 * loader or the dropout generator: a run with more evaluations trains on the very same batches.
 */
final class LossEstimator {
    private final Graph graph;
    private final int batches;

    LossEstimator(Graph graph, int batches) {
        this.graph = graph;
        this.batches = batches;
    }

    /** The estimate after {@code step}; a null validation loader gives a NaN validation loss. */
    Evaluation estimate(long step, TrainableModel model, BatchLoader train, BatchLoader validation) {
        graph.setTraining(false);
        graph.setGradEnabled(false);
        try {
            float trainLoss = meanLoss(model, train);
            float validationLoss = validation == null ? Float.NaN : meanLoss(model, validation);
            return new Evaluation(step, trainLoss, validationLoss);
        } finally {
            graph.reset();
            graph.setTraining(true);
            graph.setGradEnabled(true);
        }
    }

    private float meanLoss(TrainableModel model, BatchLoader loader) {
        double sum = 0;
        for (int i = 0; i < batches; i++) {
            BatchLoader.Batch b = loader.next();
            graph.reset();
            sum += model.loss(graph, b.inputs(), b.targets(), b.rows(), b.contextLength()).item();
        }
        return (float) (sum / batches);
    }
}

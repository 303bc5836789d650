/**
 * Training: the data pipeline (token shards, corpus preparation, batches) and the trainer (accumulation,
 * clipping, evaluation, checkpoint and exact resume, metrics, loss plot, export and model card).
 */
module ai.basalt.train {
    requires transitive ai.basalt.generate;
    requires transitive ai.basalt.nn;
    requires com.fasterxml.jackson.databind;
    requires org.knowm.xchart;
    exports ai.basalt.train;
    exports ai.basalt.train.data;
}

/** Training: the data pipeline (token shards, corpus preparation, batches); trainer and export to come. */
module ai.basalt.train {
    requires transitive ai.basalt.generate;
    requires transitive ai.basalt.nn;
    requires com.fasterxml.jackson.databind;
    exports ai.basalt.train.data;
}

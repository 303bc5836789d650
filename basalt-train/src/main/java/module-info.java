/** Training: data pipeline, trainer, tokenizer training, export. */
module ai.basalt.train {
    requires transitive ai.basalt.generate;
    requires transitive ai.basalt.nn;
    exports ai.basalt.train;
}

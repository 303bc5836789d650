/**
 * Tensors over memory-mapped or heap memory, the GGML data types, and the numeric kernels every model
 * is built from. Knows nothing about language models.
 */
module ai.basalt.tensor {
    requires transitive jdk.incubator.vector;
    exports ai.basalt.tensor;
}

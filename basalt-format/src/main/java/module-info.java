/** Model file formats: GGUF (read and write) and llama2.c checkpoint import. */
module ai.basalt.format {
    requires transitive ai.basalt.tensor;
    exports ai.basalt.format.gguf;
    exports ai.basalt.format.llama2c;
}

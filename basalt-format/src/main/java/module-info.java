/** Model file formats: GGUF (read and write) and llama2.c checkpoint import. */
module ai.basalt.format {
    requires transitive ai.basalt.tensor;
    requires com.fasterxml.jackson.databind;
    exports ai.basalt.format.gguf;
    exports ai.basalt.format.llama2c;
    exports ai.basalt.format.safetensors;
}

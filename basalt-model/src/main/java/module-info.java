/**
 * Model architectures: the {@link ai.basalt.model.Architecture} SPI, found through ServiceLoader, the
 * inference forward passes with a KV cache, and trainable versions of the same architectures that export to
 * GGUF and Hugging Face folders.
 */
module ai.basalt.model {
    requires transitive ai.basalt.tokenizer;
    requires transitive ai.basalt.nn;
    requires com.fasterxml.jackson.databind;
    exports ai.basalt.model;
    exports ai.basalt.model.llama;
    exports ai.basalt.model.gpt2;
    exports ai.basalt.model.training;
    exports ai.basalt.model.quantize;
    exports ai.basalt.model.synth;
    exports ai.basalt.model.hf;
    uses ai.basalt.model.Architecture;
    provides ai.basalt.model.Architecture with
            ai.basalt.model.llama.LlamaArchitecture,
            ai.basalt.model.gpt2.Gpt2Architecture;
}

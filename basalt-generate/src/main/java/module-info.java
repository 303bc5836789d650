/** Text generation: the sampler chain, the streaming generation loop and chat templates. */
module ai.basalt.generate {
    requires transitive ai.basalt.model;
    requires jinjava;
    // JSON Schemas for constrained decoding arrive as Jackson trees.
    requires transitive com.fasterxml.jackson.databind;
    // jinjava's EL resolver API names java.beans types.
    requires java.desktop;
    exports ai.basalt.generate;
    exports ai.basalt.generate.chat;
    exports ai.basalt.generate.constrain;
    exports ai.basalt.generate.sampling;
}

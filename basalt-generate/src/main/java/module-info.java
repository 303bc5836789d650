/** Text generation: the sampler chain, the streaming generation loop and chat templates. */
module ai.basalt.generate {
    requires transitive ai.basalt.model;
    requires jinjava;
    // jinjava's EL resolver API names java.beans types.
    requires java.desktop;
    exports ai.basalt.generate;
    exports ai.basalt.generate.chat;
    exports ai.basalt.generate.sampling;
}

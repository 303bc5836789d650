/** Text generation: the sampler chain and the streaming generation loop. */
module ai.basalt.generate {
    requires transitive ai.basalt.model;
    exports ai.basalt.generate;
    exports ai.basalt.generate.sampling;
}

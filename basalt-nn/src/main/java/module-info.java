/** Training building blocks: reverse-mode autograd, layers, losses, optimizers, schedules. */
module ai.basalt.nn {
    requires transitive ai.basalt.tensor;
    exports ai.basalt.nn;
}

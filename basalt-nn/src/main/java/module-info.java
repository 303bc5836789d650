/**
 * Training building blocks: reverse-mode autograd over float tensors ({@code ai.basalt.nn}), the fused
 * forward/backward kernels it records ({@code ai.basalt.nn.kernel}), layers holding parameters
 * ({@code ai.basalt.nn.layer}), and optimizers, schedules and clipping ({@code ai.basalt.nn.optim}).
 */
module ai.basalt.nn {
    requires transitive ai.basalt.tensor;
    exports ai.basalt.nn;
    exports ai.basalt.nn.kernel;
    exports ai.basalt.nn.layer;
    exports ai.basalt.nn.optim;
}

/** Reverse-mode autograd over float tensors, with layers, losses and optimizers built on it. */
package ai.basalt.nn;

/**
 * JMH benchmarks of the tensor kernels: the scalar reference against the Vector API backend, per stored
 * type and shape. Built as the executable {@code target/benchmarks.jar}, run by hand, never in the test
 * phase: speed is measured here, not by timed unit tests.
 *
 * <p>This module has no {@code module-info}: JMH generates its harness into packages of its own and runs
 * the benchmarks from one shaded class-path jar. Forked JVMs get {@code --add-modules jdk.incubator.vector}
 * from each benchmark's {@code @Fork}.
 */
package ai.basalt.bench;

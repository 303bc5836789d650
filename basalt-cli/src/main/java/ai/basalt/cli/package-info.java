/**
 * The {@code basalt} command (picocli): one class per subcommand. This is the only layer that turns
 * exceptions into exit codes and one-line messages; library code only throws.
 */
package ai.basalt.cli;

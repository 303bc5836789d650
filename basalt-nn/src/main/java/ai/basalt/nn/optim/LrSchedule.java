package ai.basalt.nn.optim;

/** A learning rate as a function of the iteration number (0-based). */
@FunctionalInterface
public interface LrSchedule {
    double lr(long iteration);

    /** The same rate at every iteration. */
    static LrSchedule constant(double lr) {
        return it -> lr;
    }
}

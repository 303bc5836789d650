package ai.basalt.train;

import java.nio.file.Path;

/**
 * The JVM {@link ResumeTest} kills: trains the fixture config, sleeping after each step so the test can kill it
 * mid-run. Arguments: data folder, output folder, steps, milliseconds per step.
 */
public final class CrashChild {
    private CrashChild() {}

    public static void main(String[] args) {
        TrainingConfig config = TrainingFixtures.config(Path.of(args[0]), Path.of(args[1]), Long.parseLong(args[2]));
        long sleep = Long.parseLong(args[3]);
        new Trainer(config, BigramModel.factory(), new TrainingListener() {
            @Override
            public void step(StepMetrics m, boolean logged) {
                try {
                    Thread.sleep(sleep);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }).run(false);
    }
}

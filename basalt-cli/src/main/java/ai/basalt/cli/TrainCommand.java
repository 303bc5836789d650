package ai.basalt.cli;

import ai.basalt.train.ConfigException;
import ai.basalt.train.ConfigKey;
import ai.basalt.train.Evaluation;
import ai.basalt.train.ModelFactory;
import ai.basalt.train.StepMetrics;
import ai.basalt.train.Trainer;
import ai.basalt.train.TrainingConfig;
import ai.basalt.train.TrainingConfigs;
import ai.basalt.train.TrainingListener;
import ai.basalt.train.TrainingResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code basalt train}: trains a model from scratch on shards made by {@code basalt data prepare}. Every setting is
 * a flag named after its config-file key ({@link ConfigKey}, the one place that lists them); flags override the
 * {@code --config} file, which overrides the checkpoint's settings when resuming.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        modelTransformer = TrainCommand.SettingFlags.class,
        description = {"Train a language model from scratch on token shards (see 'basalt data prepare').",
            "Writes checkpoint.bin, metrics.jsonl, loss.png, model.gguf, hf/ and MODEL_CARD.md to --out.",
            "Settings come from flags, then the --config file (JSON, keys as the flags in snake case: "
                    + "{\"kv_heads\": 2}), then with --resume the checkpoint's settings, then defaults."},
        footer = {"", "Example:",
            "  basalt train --data shards --tokenizer chars.json --layers 4 --dim 128 --steps 2000 --out runs/tiny",
            "  basalt train --resume --out runs/tiny     (continues exactly where the last checkpoint left off)"})
final class TrainCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE",
            description = "JSON file of settings, as the run's training_config.json; its paths are relative to it.")
    Path config;

    @Option(names = "--resume", description = "Continue the run whose checkpoint.bin is in --out, bit for bit.")
    boolean resume;

    /** Adds one option per {@link ConfigKey}, so flags, help and config keys cannot drift apart. */
    static final class SettingFlags implements CommandLine.IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec command) {
            for (ConfigKey k : ConfigKey.values()) {
                OptionSpec.Builder option = OptionSpec.builder(k.flag()).paramLabel(k.paramLabel())
                        .type(k.type().javaType()).description(k.description());
                if (k.type() == ConfigKey.Type.BOOLEAN) option.arity("1");
                command.addOption(option.build());
            }
            return command;
        }
    }

    @Override
    public Integer call() {
        TrainingConfig settings;
        try {
            settings = TrainingConfigs.load(config, flags(), resume);
        } catch (ConfigException e) {
            throw new Main.UsageException(e.getMessage());
        }
        boolean bar = ProgressDisplay.interactive();
        TrainingResult result;
        if (bar) {
            try (BarListener listener = new BarListener()) {
                result = new Trainer(settings, ModelFactory.standard(), listener).run(resume);
            }
        } else {
            result = new Trainer(settings, ModelFactory.standard(), TrainingListener.plainLines(main.err)).run(resume);
        }
        report(result);
        return 0;
    }

    /** The settings given as flags. */
    private Map<ConfigKey, Object> flags() {
        Map<ConfigKey, Object> flags = new EnumMap<>(ConfigKey.class);
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        for (ConfigKey k : ConfigKey.values()) {
            OptionSpec option = spec.findOption(k.flag());
            if (parsed.hasMatchedOption(option)) flags.put(k, option.getValue());
        }
        return flags;
    }

    private void report(TrainingResult r) {
        Evaluation e = r.evaluation();
        String losses = e.isNone() ? "no loss estimate"
                : String.format(Locale.ROOT, "train loss %.4f, validation loss %s", e.trainLoss(),
                        Float.isNaN(e.validationLoss()) ? "n/a" : String.format(Locale.ROOT, "%.4f", e.validationLoss()));
        main.out.printf(Locale.ROOT, "trained %d steps: %s%n", r.steps(), losses);
        main.out.println("model: " + r.gguf() + " and " + r.huggingFace());
        main.out.println("card:  " + r.modelCard());
        main.out.flush();
    }

    /** The training progress bar: steps, ETA, and the latest loss and throughput. */
    private final class BarListener implements TrainingListener, AutoCloseable {
        private ProgressDisplay display;
        private long steps;

        @Override
        public void started(long doneSteps, long totalSteps, long parameters) {
            steps = totalSteps;
            main.err.printf(Locale.ROOT, "training %,d parameters, steps %d to %d%n", parameters, doneSteps + 1,
                    totalSteps);
            display = ProgressDisplay.start(main.err, true, "train", totalSteps, " steps", 1, doneSteps, Duration.ZERO);
        }

        @Override
        public void step(StepMetrics m, boolean logged) {
            display.stepTo(m.step());
            display.extraMessage(String.format(Locale.ROOT, " | loss %.4f | %.0f tok/s", m.trainLoss(),
                    m.tokensPerSecond()));
            if (!m.evaluation().isNone()) display.println(TrainingListener.describe(m, steps));
        }

        @Override
        public void message(String line) {
            if (display == null) main.err.println(line);
            else display.println(line);
        }

        @Override
        public void close() {
            if (display != null) display.close();
        }
    }
}

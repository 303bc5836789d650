package ai.basalt.cli;

import ai.basalt.format.gguf.GgufFile;
import ai.basalt.format.gguf.GgufTensorInfo;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code basalt models}: what the local hub holds. */
@Command(name = "models", mixinStandardHelpOptions = true, description = "List the models in the local hub.")
final class ModelsCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Hub hub = main.hub();
        PrintWriter out = spec.commandLine().getOut();
        List<Hub.Entry> entries = hub.list();
        if (entries.isEmpty()) {
            out.println("No models in " + hub.modelsFolder() + ". Put GGUF files there (models/NAME.gguf or "
                    + "models/NAME/model.gguf), or run one directly with 'basalt run --model PATH'.");
        } else {
            out.printf(Locale.ROOT, "%-32s %-10s %10s %-10s %10s%n", "NAME", "ARCH", "PARAMS", "TYPE", "SIZE");
            for (Hub.Entry e : entries) {
                out.println(describe(e));
            }
        }
        if (DefaultModel.present()) {
            out.println("Built in: " + DefaultModel.NAME + ", trained by Basalt; 'basalt run' and 'basalt chat' use it "
                    + "when no --model is given.");
        }
        out.flush();
        return 0;
    }

    private static String describe(Hub.Entry e) throws IOException {
        long bytes = Files.size(e.file());
        try (GgufFile f = GgufFile.open(e.file())) {
            long params = 0;
            Map<String, Long> byType = new TreeMap<>();
            for (GgufTensorInfo t : f.tensors()) {
                long n = Arrays.stream(t.dims()).reduce(1, Math::multiplyExact);
                params += n;
                byType.merge(t.type().name(), n, Long::sum);
            }
            String type = byType.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse("-");
            return String.format(Locale.ROOT, "%-32s %-10s %10s %-10s %10s", e.name(), f.architecture(),
                    human(params, 1000, ""), type, human(bytes, 1024, "B"));
        } catch (RuntimeException ex) {
            return String.format(Locale.ROOT, "%-32s unreadable: %s", e.name(), Main.describe(ex));
        }
    }

    static String human(long n, int base, String unit) {
        String[] prefixes = base == 1024 ? new String[] {"", "Ki", "Mi", "Gi", "Ti"} : new String[] {"", "K", "M", "B", "T"};
        double v = n;
        int i = 0;
        while (v >= base && i < prefixes.length - 1) {
            v /= base;
            i++;
        }
        return (i == 0 ? String.valueOf(n) : String.format(Locale.ROOT, "%.1f", v)) + prefixes[i] + unit;
    }
}

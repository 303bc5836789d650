package ai.basalt.cli;

import ai.basalt.model.KvType;
import picocli.CommandLine.Option;

/** {@code --kv-type}, for the commands that run a model. */
final class KvTypeOption {
    @Option(names = "--kv-type", paramLabel = "TYPE", description = "KV cache element type, f16 or f32 "
            + "(default: ${DEFAULT-VALUE}, as llama.cpp's).")
    String kvType = KvType.DEFAULT.name().toLowerCase(java.util.Locale.ROOT);

    /** The chosen type, or a usage error naming the choices. */
    KvType type() {
        try {
            return KvType.parse(kvType);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException("--kv-type: " + e.getMessage());
        }
    }
}

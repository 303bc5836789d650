package ai.basalt.train;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes training configs: a JSON object of {@link ConfigKey} names (a file), flags, and the config a
 * checkpoint was written with, layered in that order of precedence:
 * <pre>
 *   defaults  &lt;  the checkpoint's config (when resuming)  &lt;  the config file  &lt;  flags
 * </pre>
 * Paths in a config file are relative to the file's folder; paths given as flags to the working directory.
 */
public final class TrainingConfigs {
    /** Reads numbers as decimals, so floats and doubles written in their shortest form read back exactly. */
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private TrainingConfigs() {}

    /**
     * The resolved config of a run: {@code file} (may be null) overridden by {@code flags}; when {@code resume}
     * is set, the config stored in the output folder's checkpoint lies beneath both.
     *
     * @throws ConfigException naming the file or setting at fault
     * @throws CheckpointException if resuming and the checkpoint's header cannot be read
     */
    public static TrainingConfig load(Path file, Map<ConfigKey, Object> flags, boolean resume) {
        Map<ConfigKey, Object> given = new EnumMap<>(ConfigKey.class);
        if (file != null) given.putAll(read(file));
        given.putAll(flags);
        if (!resume) return ConfigKey.resolve(given);
        Path out = ((Path) given.getOrDefault(ConfigKey.OUT, Path.of("out"))).toAbsolutePath().normalize();
        Path checkpoint = out.resolve(Trainer.CHECKPOINT_FILE);
        if (!Files.isRegularFile(checkpoint)) {
            throw new CheckpointException(checkpoint + ": no checkpoint to resume from (train without --resume first, "
                    + "or point --out at the run's folder)");
        }
        Map<ConfigKey, Object> layered = ConfigKey.valuesOf(CheckpointFile.readHeader(checkpoint).config());
        layered.putAll(given);
        return ConfigKey.resolve(layered);
    }

    /**
     * The settings in a JSON config file.
     *
     * @throws ConfigException naming the file if it is not a JSON object of known settings of the right types
     */
    public static Map<ConfigKey, Object> read(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": no such config file", e);
        } catch (JacksonException e) {
            String at = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr();
            throw new ConfigException(file + ": not valid JSON (" + e.getOriginalMessage().replaceAll("\\s+", " ") + at
                    + ")", e);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read config file (" + e.getMessage() + ")", e);
        }
        Path base = file.toAbsolutePath().getParent();
        return fromJson(root, base, file.toString());
    }

    /** The settings of a JSON object; {@code where} names its source in messages. */
    static Map<ConfigKey, Object> fromJson(JsonNode root, Path base, String where) {
        if (root == null || !root.isObject()) {
            throw new ConfigException(where + ": a JSON object of settings expected, found "
                    + (root == null ? "nothing" : root.getNodeType().name().toLowerCase(java.util.Locale.ROOT)));
        }
        Map<ConfigKey, Object> values = new EnumMap<>(ConfigKey.class);
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            ConfigKey key = ConfigKey.ofKey(e.getKey());
            if (key == null) {
                throw new ConfigException(where + ": unknown setting '" + e.getKey() + "' (known: " + knownKeys() + ")");
            }
            if (!e.getValue().isNull()) values.put(key, key.fromJson(e.getValue(), base, where));
        }
        return values;
    }

    /** {@code config} as a JSON object of every setting, readable by {@link #read}. */
    static ObjectNode toJson(TrainingConfig config) {
        ObjectNode node = JSON.createObjectNode();
        ConfigKey.valuesOf(config).forEach((k, v) -> node.set(k.key(), k.toJson(v)));
        return node;
    }

    /** Writes {@code config} as a JSON config file, atomically. */
    public static void write(TrainingConfig config, Path file) {
        try {
            AtomicFiles.write(file, (JSON.writeValueAsString(toJson(config)) + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (JacksonException e) {
            throw new IllegalStateException("cannot serialize training config: " + e.getMessage(), e);
        }
    }

    /** The {@code basalt train} command line that sets every setting of {@code config} explicitly. */
    public static String commandLine(TrainingConfig config) {
        List<String> args = new ArrayList<>(List.of("basalt", "train"));
        ConfigKey.valuesOf(config).forEach((k, v) -> {
            args.add(k.flag());
            args.add(shellQuote(k.format(v)));
        });
        return String.join(" ", args);
    }

    private static String shellQuote(String s) {
        if (!s.isEmpty() && s.matches("[A-Za-z0-9_./:=+,@%-]+")) return s;
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static String knownKeys() {
        StringBuilder s = new StringBuilder();
        for (ConfigKey k : ConfigKey.values()) s.append(s.isEmpty() ? "" : ", ").append(k.key());
        return s.toString();
    }
}

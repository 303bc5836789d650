package ai.basalt.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Hugging Face {@code tokenizers} (the Rust library, version 0.21 inside DJL's {@code ai.djl.huggingface:tokenizers}
 * jar) on a {@code tokenizer.json}: the oracle of {@link HuggingFaceTokenizerJson}.
 *
 * <p>DJL copies the native library bundled in its jar to its engine cache and loads it from there. Offline mode and
 * the CPU flavour keep it from looking for anything to download (it would for a CUDA flavour), and the cache is put
 * under {@code target/} so that tests write nothing to the home folder. The tokenizer is built from the file's bytes,
 * so no {@code tokenizer_config.json} beside it changes anything (DJL would apply its lower-casing, accent stripping
 * and clean-up of spaces), and truncation and padding are off.
 */
final class HuggingFaceOracle implements AutoCloseable {
    static {
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("RUST_FLAVOR", "cpu");
        System.setProperty("ENGINE_CACHE_DIR", Path.of("target", "djl-cache").toAbsolutePath().toString());
    }

    private final HuggingFaceTokenizer withSpecial;
    private final HuggingFaceTokenizer withoutSpecial;

    private HuggingFaceOracle(Path tokenizerJson) throws IOException {
        withSpecial = open(tokenizerJson, true);
        withoutSpecial = open(tokenizerJson, false);
    }

    static HuggingFaceOracle open(Path tokenizerJson) {
        try {
            return new HuggingFaceOracle(tokenizerJson);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static HuggingFaceTokenizer open(Path file, boolean addSpecialTokens) throws IOException {
        Map<String, String> options = Map.of("addSpecialTokens", Boolean.toString(addSpecialTokens),
                "truncation", "false", "padding", "false");
        try (InputStream in = Files.newInputStream(file)) {
            return HuggingFaceTokenizer.newInstance(in, options);
        }
    }

    /** {@code tokenizer.encode(text, add_special_tokens=addSpecialTokens).ids}. */
    int[] encode(String text, boolean addSpecialTokens) {
        Encoding e = (addSpecialTokens ? withSpecial : withoutSpecial).encode(text);
        long[] ids = e.getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) out[i] = Math.toIntExact(ids[i]);
        return out;
    }

    /** {@code tokenizer.decode(ids, skip_special_tokens=skipSpecialTokens)}. */
    String decode(int[] ids, boolean skipSpecialTokens) {
        long[] longs = new long[ids.length];
        for (int i = 0; i < ids.length; i++) longs[i] = ids[i];
        return withoutSpecial.decode(longs, skipSpecialTokens);
    }

    @Override
    public void close() {
        withSpecial.close();
        withoutSpecial.close();
    }
}

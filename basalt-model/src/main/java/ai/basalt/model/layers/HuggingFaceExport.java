package ai.basalt.model.layers;

import ai.basalt.format.safetensors.SafetensorsWriter;
import ai.basalt.nn.Var;
import ai.basalt.tensor.Tensor;
import ai.basalt.tokenizer.ByteLevelBpeTokenizer;
import ai.basalt.tokenizer.HuggingFaceTokenizerJson;
import ai.basalt.tokenizer.Tokenizer;
import ai.basalt.tokenizer.Vocabulary;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a Hugging Face model folder as {@code save_pretrained} lays it out: {@value #CONFIG},
 * {@value #WEIGHTS} (F32, {@code "format": "pt"}), {@value #GENERATION_CONFIG}, and for a byte-level BPE tokenizer
 * {@value #TOKENIZER} and {@value #TOKENIZER_CONFIG} ({@code PreTrainedTokenizerFast}). Other tokenizers have no
 * Hugging Face writer yet and leave the folder without tokenizer files. Each architecture supplies its
 * {@code config.json} entries and its tensors under Hugging Face's names and layouts.
 */
public final class HuggingFaceExport {
    public static final String CONFIG = "config.json";
    public static final String WEIGHTS = "model.safetensors";
    public static final String GENERATION_CONFIG = "generation_config.json";
    public static final String TOKENIZER = "tokenizer.json";
    public static final String TOKENIZER_CONFIG = "tokenizer_config.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private HuggingFaceExport() {}

    /**
     * The {@code config.json} entries every causal language model has; the architecture adds its own.
     *
     * @param architectureClass the {@code transformers} class, e.g. {@code LlamaForCausalLM}
     * @param modelType {@code model_type}, e.g. {@code llama}
     */
    public static ObjectNode config(String architectureClass, String modelType, int vocabularySize, boolean tiedOutput,
            Tokenizer tokenizer) {
        ObjectNode c = JSON.createObjectNode();
        c.putArray("architectures").add(architectureClass);
        c.put("model_type", modelType).put("vocab_size", vocabularySize).put("tie_word_embeddings", tiedOutput)
                .put("torch_dtype", "float32").put("use_cache", true).put("initializer_range", 0.02);
        putSpecialIds(c, tokenizer.vocabulary());
        return c;
    }

    /**
     * Writes the folder (created if absent): {@code config}, {@code tensors} (in GGML dims, as
     * {@link SafetensorsWriter#add(Tensor)} takes them), the generation config and the tokenizer files.
     */
    public static void write(Path folder, ObjectNode config, List<Tensor> tensors, Tokenizer tokenizer, int contextLength) {
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new UncheckedIOException(folder + ": cannot create the model folder (" + e + ")", e);
        }
        writeJson(folder.resolve(CONFIG), config);
        SafetensorsWriter weights = new SafetensorsWriter().metadata("format", "pt");
        for (Tensor t : tensors) weights.add(t);
        weights.write(folder.resolve(WEIGHTS));
        ObjectNode generation = JSON.createObjectNode().put("_from_model_config", true);
        putSpecialIds(generation, tokenizer.vocabulary());
        writeJson(folder.resolve(GENERATION_CONFIG), generation);
        if (tokenizer instanceof ByteLevelBpeTokenizer bpe) writeTokenizer(folder, bpe, contextLength);
    }

    /** {@code tokenizer.json} and a {@code tokenizer_config.json} that loads it as a fast tokenizer. */
    private static void writeTokenizer(Path folder, ByteLevelBpeTokenizer tokenizer, int contextLength) {
        HuggingFaceTokenizerJson.write(tokenizer, folder.resolve(TOKENIZER));
        Vocabulary v = tokenizer.vocabulary();
        ObjectNode c = JSON.createObjectNode().put("tokenizer_class", "PreTrainedTokenizerFast")
                .put("model_max_length", contextLength).put("add_bos_token", v.addBos())
                .put("add_eos_token", v.addEos()).put("clean_up_tokenization_spaces", false);
        if (v.bos() >= 0) c.put("bos_token", v.token(v.bos()));
        if (v.eos() >= 0) c.put("eos_token", v.token(v.eos()));
        if (v.unk() >= 0) c.put("unk_token", v.token(v.unk()));
        if (v.pad() >= 0) c.put("pad_token", v.token(v.pad()));
        writeJson(folder.resolve(TOKENIZER_CONFIG), c);
    }

    private static void putSpecialIds(ObjectNode node, Vocabulary v) {
        if (v.bos() >= 0) node.put("bos_token_id", v.bos());
        if (v.eos() >= 0) node.put("eos_token_id", v.eos());
        if (v.pad() >= 0) node.put("pad_token_id", v.pad());
    }

    private static void writeJson(Path file, ObjectNode node) {
        try {
            Files.writeString(file, JSON.writeValueAsString(node) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write (" + e + ")", e);
        }
    }

    /** A copy of {@code p} (rows, cols) or (n) under {@code name}. */
    public static Tensor tensor(String name, Var p) {
        return GgufExport.tensor(name, p);
    }

    /** {@code values} of a (rows, cols) matrix as a tensor of safetensors shape (rows, cols). */
    public static Tensor matrix(String name, float[] values, int rows, int cols) {
        return Tensor.ofFloats(name, values, cols, rows);
    }

    /** A matrix (rows, cols) stored transposed, shape (cols, rows): GPT-2's {@code Conv1D} keeps (in, out). */
    public static Tensor transposed(String name, Var w) {
        int rows = w.dim(0);
        int cols = w.dim(1);
        float[] a = w.data();
        float[] t = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c];
        }
        return matrix(name, t, cols, rows);
    }
}

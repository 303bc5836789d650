package ai.basalt.train;

import ai.basalt.format.gguf.GgufMetadata;
import ai.basalt.format.gguf.GgufWriter;
import ai.basalt.format.gguf.MetadataKey;
import ai.basalt.format.safetensors.SafetensorsDType;
import ai.basalt.format.safetensors.SafetensorsWriter;
import ai.basalt.model.training.ModelSpec;
import ai.basalt.model.training.TrainableModel;
import ai.basalt.nn.Graph;
import ai.basalt.nn.Init;
import ai.basalt.nn.ParamKind;
import ai.basalt.nn.Rng;
import ai.basalt.nn.Var;
import ai.basalt.tensor.DType;
import ai.basalt.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A tiny trainable model for trainer tests, independent of the transformer architectures: token embedding (V, C),
 * dropout, then a linear layer with bias to the logits (V). It has one parameter of each kind the optimizer treats
 * differently (embedding, weight, bias) and draws dropout masks from its init generator, so it exercises weight
 * decay groups and the dropout generator's checkpointing. Shapes: B batch, T time, C = spec.dim(), V vocabulary.
 */
public final class BigramModel implements TrainableModel {
    private final ModelSpec spec;
    private final Rng rng;
    /** (V, C) */
    private final Var embedding;
    /** (V, C) */
    private final Var projection;
    /** (V) */
    private final Var bias;

    public BigramModel(ModelSpec spec, Rng rng) {
        this.spec = spec;
        this.rng = rng;
        int v = spec.vocabularySize();
        int c = spec.dim();
        embedding = Var.param("token_embd.weight", ParamKind.EMBEDDING, v, c);
        projection = Var.param("output.weight", ParamKind.WEIGHT, v, c);
        bias = Var.param("output.bias", ParamKind.BIAS, v);
        Init.normal(embedding, rng, 0f, 0.5f);
        Init.normal(projection, rng, 0f, 0.5f);
    }

    /** The factory trainer tests pass. */
    public static ModelFactory factory() {
        return BigramModel::new;
    }

    @Override
    public ModelSpec spec() {
        return spec;
    }

    @Override
    public List<Var> parameters() {
        return List.of(embedding, projection, bias);
    }

    /** The init generator itself, which goes on to draw the dropout masks. */
    @Override
    public Rng dropoutRng() {
        return rng;
    }

    @Override
    public Var logits(Graph g, int[] tokens, int batch, int time) {
        Var x = g.embedding(embedding, tokens, batch, time); // (B, T, C)
        x = g.dropout(x, spec.dropout(), rng);
        return g.linear(x, projection, bias); // (B, T, V)
    }

    @Override
    public void writeGguf(Path file, Tokenizer tokenizer, String name) {
        GgufMetadata.Builder m = GgufMetadata.builder().putString(MetadataKey.GENERAL_ARCHITECTURE.key(), "bigram")
                .putString(MetadataKey.GENERAL_NAME.key(), name);
        tokenizer.putGgufMetadata(m);
        GgufWriter w = new GgufWriter(m.build());
        for (Var p : parameters()) {
            int[] shape = p.shape();
            long[] dims = new long[shape.length];
            for (int i = 0; i < shape.length; i++) dims[i] = shape[shape.length - 1 - i]; // GGUF: innermost first
            w.addTensor(p.name(), DType.F32, dims, bytes(p));
        }
        w.write(file);
    }

    @Override
    public void writeHuggingFace(Path folder, Tokenizer tokenizer) {
        try {
            Files.createDirectories(folder);
            Files.writeString(folder.resolve("config.json"), "{\"architectures\": [\"BigramModel\"], \"vocab_size\": "
                    + spec.vocabularySize() + "}\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        SafetensorsWriter w = new SafetensorsWriter();
        for (Var p : parameters()) {
            int[] shape = p.shape();
            long[] dims = new long[shape.length];
            for (int i = 0; i < shape.length; i++) dims[i] = shape[i];
            w.add(p.name(), SafetensorsDType.F32, dims, bytes(p));
        }
        w.write(folder.resolve("model.safetensors"));
    }

    private static byte[] bytes(Var p) {
        ByteBuffer b = ByteBuffer.allocate(4 * p.size()).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(p.data(), 0, p.size());
        return b.array();
    }
}

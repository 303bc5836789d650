package ai.basalt.cli;

import ai.basalt.format.gguf.GgufMetadata;
import ai.basalt.format.gguf.GgufWriter;
import ai.basalt.format.gguf.MetadataKey;
import ai.basalt.format.gguf.TensorKey;
import ai.basalt.model.fixtures.TinySentencePiece;
import ai.basalt.model.llama.LlamaConfig;
import ai.basalt.tensor.DType;
import ai.basalt.tensor.RopeMode;
import ai.basalt.tokenizer.Tokenizer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Writes a tiny Llama GGUF with seeded random weights and a byte-fallback SentencePiece vocabulary, so CLI
 * tests run without any external model. Shapes: C = 32 (one quantization block), F = 64, 2 layers, 4 heads, 2 KV heads.
 */
final class TinyLlama {
    static final int DIM = 32;
    static final int FFN = 64;
    static final int LAYERS = 2;
    static final int HEADS = 4;
    static final int KV_HEADS = 2;

    private String architecture = "llama";
    private int contextLength = 64;
    private String unsupportedTensor;
    private DType unsupportedType;
    private String chatTemplate;

    TinyLlama architecture(String arch) {
        this.architecture = arch;
        return this;
    }

    TinyLlama contextLength(int n) {
        this.contextLength = n;
        return this;
    }

    /** Stores {@code template} as {@code tokenizer.chat_template}. */
    TinyLlama chatTemplate(String template) {
        this.chatTemplate = template;
        return this;
    }

    /** Stores tensor {@code name} in {@code type} (with zeroed blocks) instead of F32. */
    TinyLlama tensorType(String name, DType type) {
        this.unsupportedTensor = name;
        this.unsupportedType = type;
        return this;
    }

    Path write(Path file) {
        Tokenizer tokenizer = TinySentencePiece.tokenizer();
        int vocab = tokenizer.vocabulary().size();
        LlamaConfig config = new LlamaConfig(DIM, FFN, LAYERS, HEADS, KV_HEADS, DIM / HEADS, vocab, contextLength, 1e-5f,
                10000f, DIM / HEADS, RopeMode.NORMAL);
        GgufMetadata.Builder builder = GgufMetadata.builder()
                .putString(MetadataKey.GENERAL_ARCHITECTURE.key(), architecture)
                .putString(MetadataKey.GENERAL_NAME.key(), "tiny-llama");
        config.putGgufMetadata(builder, architecture);
        tokenizer.putGgufMetadata(builder);
        if (chatTemplate != null) builder.putString(MetadataKey.TOKENIZER_CHAT_TEMPLATE.key(), chatTemplate);
        GgufMetadata meta = builder.build();
        GgufWriter w = new GgufWriter(meta);
        SplittableRandom random = new SplittableRandom(7);
        int kvDim = DIM / HEADS * KV_HEADS;
        add(w, random, TensorKey.TOKEN_EMBD.weight(), DIM, vocab);
        add(w, random, TensorKey.OUTPUT_NORM.weight(), DIM);
        for (int l = 0; l < LAYERS; l++) {
            add(w, random, TensorKey.ATTN_NORM.weight(l), DIM);
            add(w, random, TensorKey.ATTN_Q.weight(l), DIM, DIM);
            add(w, random, TensorKey.ATTN_K.weight(l), DIM, kvDim);
            add(w, random, TensorKey.ATTN_V.weight(l), DIM, kvDim);
            add(w, random, TensorKey.ATTN_OUTPUT.weight(l), DIM, DIM);
            add(w, random, TensorKey.FFN_NORM.weight(l), DIM);
            add(w, random, TensorKey.FFN_GATE.weight(l), DIM, FFN);
            add(w, random, TensorKey.FFN_DOWN.weight(l), FFN, DIM);
            add(w, random, TensorKey.FFN_UP.weight(l), DIM, FFN);
        }
        w.write(file);
        return file;
    }

    private void add(GgufWriter w, SplittableRandom random, String name, long... dims) {
        long n = 1;
        for (long d : dims) n *= d;
        if (name.equals(unsupportedTensor)) {
            w.addTensor(name, unsupportedType, dims, new byte[Math.toIntExact(unsupportedType.byteSize(n))]);
            return;
        }
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(4 * n)).order(ByteOrder.LITTLE_ENDIAN);
        for (long i = 0; i < n; i++) b.putFloat((float) (random.nextGaussian() * (dims.length == 1 ? 0.1 : 0.5) + (dims.length == 1 ? 1 : 0)));
        w.addTensor(name, DType.F32, dims, b.array());
    }
}

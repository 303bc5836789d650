package ai.basalt.testkit.llamacpp;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.ModelParameters;
import de.kherud.llama.args.CacheType;
import de.kherud.llama.args.LogFormat;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Test-only reference: runs the real llama.cpp on a GGUF model and reports, for greedy decoding, the generated
 * token ids and llama.cpp's top-10 token probabilities at every step, so that Basalt's engine can be compared with
 * it token for token.
 *
 * <h2>Where llama.cpp comes from</h2>
 * The native library is the one bundled in the Maven artifact {@code de.kherud:llama:4.2.0} (test scope only):
 * {@code de/kherud/llama/Linux/x86_64/libjllama.so}, built from llama.cpp <b>b4916 (commit c6af2161)</b>, CPU only.
 * The binding's own loader extracts and {@code System.load}s it (we trigger that by initialising
 * {@link LlamaModel}); this class then calls the llama.cpp C API that the same library exports
 * ({@code llama_tokenize}, {@code llama_decode}, {@code llama_get_logits_ith}, {@code llama_sampler_*}, ...)
 * through the Java FFM API ({@link SymbolLookup#loaderLookup()}), so there is exactly one copy of llama.cpp in
 * the process.
 *
 * <h2>Why not only the binding's Java API</h2>
 * {@code LlamaModel.generate/complete} return {@code LlamaOutput}s that carry text only (no token ids), and their
 * {@code probabilities} map is unusable in 4.2.0: the JNI reads {@code completion_probabilities[i]["probs"][j]
 * ["tok_str"/"prob"]} (the pre-December-2024 server format) while the bundled server emits
 * {@code "top_logprobs"/"top_probs"} entries keyed {@code "token"}, so any request with {@code n_probs > 0}
 * aborts the JVM with {@code json.hpp: GGML_ASSERT(it != m_data.m_value.object->end()) failed}. The binding's
 * greedy text is still used as a cross-check: {@link #serverGreedyText}.
 *
 * <h2>What is computed, exactly</h2>
 * <ul>
 *   <li>Prompt tokens: {@link #tokenize(String)} = {@code llama_tokenize(vocab, text, add_special=true,
 *       parse_special=true)}, the call the server makes for a string prompt ({@code tokenize_input_prompts(vocab,
 *       prompt, true, true)}). For the SentencePiece ("llama") vocab of stories260K this prepends BOS (id 1,
 *       {@code add_bos} defaults to true for SPM) and a space (SPM {@code add_space_prefix} defaults to true), so
 *       {@code "Once upon a time"} becomes {@code [1, 403, 407, 261, 378]} = BOS "▁Once" "▁upon" "▁a" "▁time".
 *       The empty prompt is {@code [1]} (BOS only).</li>
 *   <li>Evaluation: the whole prompt is one {@code llama_decode} batch ({@code n_batch = n_ubatch = n_ctx}), then
 *       one decode per generated token, KV cache cleared before each run, a single sequence.</li>
 *   <li>Greedy token: llama.cpp's own greedy sampler ({@code llama_sampler_init_greedy} +
 *       {@code llama_sampler_sample(smpl, ctx, -1)}): the argmax of the raw logits, the lowest id on an exact
 *       tie.</li>
 *   <li>Probabilities: llama.cpp's own softmax sampler ({@code llama_sampler_init_softmax}) applied to the full
 *       vocabulary of raw logits: sort by logit descending, {@code p_i = expf(l_i - l_max)}, summed in float in that
 *       order, then divided by the sum. This is the same arithmetic as the server's pre-sampling probabilities
 *       ({@code get_token_probabilities} in {@code examples/server/utils.hpp}, used when {@code n_probs > 0} and
 *       {@code post_sampling_probs} is false), i.e. softmax over all {@code n_vocab} raw logits at temperature 1,
 *       independent of the sampling settings.</li>
 *   <li>Stop: after an end-of-generation token ({@code llama_vocab_is_eog}; the EOS step is included in
 *       {@link Result#steps()}), after {@code maxTokens} steps, or when the context is full.</li>
 * </ul>
 *
 * <h2>Determinism</h2>
 * CPU only, {@link Options#threads()} threads (default 1; F32 matmuls split rows, not sums, across threads, so
 * the thread count does not change results), no sampling randomness (the seed is irrelevant), context
 * {@link Options#contextSize()} (default: the model's training context, capped at 4096; 512 for stories260K),
 * flash attention off. The KV cache is F32 by default ({@link KvCache#F32}); llama.cpp's own default is F16,
 * which rounds K, V (and Q in the KQ product) to half precision; choose {@link KvCache#F16} to reproduce
 * llama-cli/llama-server bit for bit.
 *
 * <p>Not thread-safe beyond the {@code synchronized} methods; one instance holds one model and one context.
 */
@SuppressWarnings("restricted") // FFM downcalls into the bundled llama.cpp (tests run with --enable-native-access)
public final class LlamaCppOracle implements AutoCloseable {

    /** The number of alternatives reported per step. */
    public static final int TOP_K = 10;

    /** KV cache element type (llama.cpp {@code ggml_type}). */
    public enum KvCache {
        F32(0, CacheType.F32),
        F16(1, CacheType.F16);

        final int ggmlType;
        final CacheType bindingType;

        KvCache(int ggmlType, CacheType bindingType) {
            this.ggmlType = ggmlType;
            this.bindingType = bindingType;
        }
    }

    /**
     * How the llama.cpp context is set up.
     *
     * @param contextSize context length in tokens, 0 for the model's training context capped at 4096
     * @param threads CPU threads for decoding
     * @param kvCache KV cache element type
     * @param recordProducts whether {@link #greedyTrace} records the input of every weight product
     *     ({@link GgmlProducts}; the graph is then computed in pieces, a little slower)
     */
    public record Options(int contextSize, int threads, KvCache kvCache, boolean recordProducts) {
        public Options {
            if (contextSize < 0) throw new IllegalArgumentException("contextSize < 0");
            if (threads < 1) throw new IllegalArgumentException("threads < 1");
            Objects.requireNonNull(kvCache, "kvCache");
        }

        public Options(int contextSize, int threads, KvCache kvCache) {
            this(contextSize, threads, kvCache, false);
        }

        public static Options defaults() {
            return new Options(0, 1, KvCache.F32);
        }
    }

    /**
     * One greedy step.
     *
     * @param token the id llama.cpp's greedy sampler chose
     * @param piece its text ({@code llama_token_to_piece}, special=false: "" for BOS/EOS, the raw byte for byte
     *     tokens), decoded as UTF-8 with replacement (a lone byte of a multi-byte character shows as U+FFFD; use
     *     {@link LlamaCppOracle#detokenize} on the whole sequence for exact text)
     * @param topIds the {@value #TOP_K} most probable ids, by probability descending, ties by id ascending
     * @param topProbs their probabilities (softmax over the full vocabulary of raw logits)
     */
    public record Step(int token, String piece, int[] topIds, float[] topProbs) {
        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder();
            sb.append(token).append(' ').append(quote(piece)).append(" top=[");
            for (int i = 0; i < topIds.length; i++) {
                if (i > 0) sb.append(", ");
                sb.append(topIds[i]).append(':').append(String.format("%.6f", topProbs[i]));
            }
            return sb.append(']').toString();
        }
    }

    /**
     * A greedy run.
     *
     * @param promptTokens the evaluated prompt (with BOS where llama.cpp adds it)
     * @param steps one entry per generated token, the last one an EOS step where generation ended on EOS
     */
    public record Result(int[] promptTokens, List<Step> steps) {
        public Result {
            promptTokens = promptTokens.clone();
            steps = List.copyOf(steps);
        }

        /** The generated ids, in order. */
        public int[] tokens() {
            return steps.stream().mapToInt(Step::token).toArray();
        }

        /** Concatenation of the step pieces (exact only where no multi-byte character spans tokens). */
        public String text() {
            StringBuilder sb = new StringBuilder();
            for (Step s : steps) sb.append(s.piece());
            return sb.toString();
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // llama.cpp b4916 C ABI (x86_64 SysV), checked against the disassembly of llama_*_default_params.

    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT;
    private static final ValueLayout.OfByte I8 = ValueLayout.JAVA_BYTE;
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG;
    private static final ValueLayout.OfBoolean BOOL = ValueLayout.JAVA_BOOLEAN;
    private static final AddressLayout PTR = ValueLayout.ADDRESS;

    /** {@code struct llama_model_params}, 64 bytes. */
    private static final StructLayout MODEL_PARAMS = MemoryLayout.structLayout(
            PTR.withName("devices"),
            I32.withName("n_gpu_layers"),
            I32.withName("split_mode"),
            I32.withName("main_gpu"),
            MemoryLayout.paddingLayout(4),
            PTR.withName("tensor_split"),
            PTR.withName("progress_callback"),
            PTR.withName("progress_callback_user_data"),
            PTR.withName("kv_overrides"),
            I8.withName("vocab_only"),
            I8.withName("use_mmap"),
            I8.withName("use_mlock"),
            I8.withName("check_tensors"),
            MemoryLayout.paddingLayout(4));

    /** {@code struct llama_context_params}, 120 bytes. */
    private static final StructLayout CONTEXT_PARAMS = MemoryLayout.structLayout(
            I32.withName("n_ctx"),
            I32.withName("n_batch"),
            I32.withName("n_ubatch"),
            I32.withName("n_seq_max"),
            I32.withName("n_threads"),
            I32.withName("n_threads_batch"),
            I32.withName("rope_scaling_type"),
            I32.withName("pooling_type"),
            I32.withName("attention_type"),
            F32.withName("rope_freq_base"),
            F32.withName("rope_freq_scale"),
            F32.withName("yarn_ext_factor"),
            F32.withName("yarn_attn_factor"),
            F32.withName("yarn_beta_fast"),
            F32.withName("yarn_beta_slow"),
            I32.withName("yarn_orig_ctx"),
            F32.withName("defrag_thold"),
            MemoryLayout.paddingLayout(4),
            PTR.withName("cb_eval"),
            PTR.withName("cb_eval_user_data"),
            I32.withName("type_k"),
            I32.withName("type_v"),
            I8.withName("logits_all"),
            I8.withName("embeddings"),
            I8.withName("offload_kqv"),
            I8.withName("flash_attn"),
            I8.withName("no_perf"),
            MemoryLayout.paddingLayout(3),
            PTR.withName("abort_callback"),
            PTR.withName("abort_callback_data"));

    /** {@code struct llama_batch}, 56 bytes. */
    private static final StructLayout BATCH = MemoryLayout.structLayout(
            I32.withName("n_tokens"),
            MemoryLayout.paddingLayout(4),
            PTR.withName("token"),
            PTR.withName("embd"),
            PTR.withName("pos"),
            PTR.withName("n_seq_id"),
            PTR.withName("seq_id"),
            PTR.withName("logits"));

    /** {@code llama_token_data}: id, logit, p. */
    private static final long TOKEN_DATA_SIZE = 12;

    /** {@code llama_token_data_array}: data, size, selected, sorted. */
    private static final StructLayout TOKEN_DATA_ARRAY = MemoryLayout.structLayout(
            PTR.withName("data"),
            I64.withName("size"),
            I64.withName("selected"),
            I8.withName("sorted"),
            MemoryLayout.paddingLayout(7));

    private static final int GGML_LOG_LEVEL_ERROR = 4;

    /** {@code enum llama_pooling_type}: UNSPECIFIED -1, NONE 0, MEAN 1, CLS 2, LAST 3, RANK 4. */
    private static final int LLAMA_POOLING_TYPE_NONE = 0;

    /** Native entry points, bound once the library is loaded. */
    private static final class Native {
        final MethodHandle backendInit;
        final MethodHandle logSet;
        final MethodHandle printSystemInfo;
        final MethodHandle modelDefaultParams;
        final MethodHandle contextDefaultParams;
        final MethodHandle modelLoadFromFile;
        final MethodHandle initFromModel;
        final MethodHandle modelGetVocab;
        final MethodHandle modelNCtxTrain;
        final MethodHandle vocabNTokens;
        final MethodHandle vocabBos;
        final MethodHandle vocabEos;
        final MethodHandle vocabIsEog;
        final MethodHandle vocabGetAddBos;
        final MethodHandle tokenize;
        final MethodHandle tokenToPiece;
        final MethodHandle batchGetOne;
        final MethodHandle decode;
        final MethodHandle getLogitsIth;
        final MethodHandle kvSelfClear;
        final MethodHandle nCtx;
        final MethodHandle samplerInitGreedy;
        final MethodHandle samplerInitSoftmax;
        final MethodHandle samplerSample;
        final MethodHandle samplerApply;
        final MethodHandle samplerFree;
        final MethodHandle free;
        final MethodHandle modelFree;
        final MethodHandle modelNEmbd;
        final MethodHandle getEmbeddingsIth;

        Native(SymbolLookup lib) {
            backendInit = fn(lib, "llama_backend_init", FunctionDescriptor.ofVoid());
            logSet = fn(lib, "llama_log_set", FunctionDescriptor.ofVoid(PTR, PTR));
            printSystemInfo = fn(lib, "llama_print_system_info", FunctionDescriptor.of(PTR));
            modelDefaultParams = fn(lib, "llama_model_default_params", FunctionDescriptor.of(MODEL_PARAMS));
            contextDefaultParams = fn(lib, "llama_context_default_params", FunctionDescriptor.of(CONTEXT_PARAMS));
            modelLoadFromFile = fn(lib, "llama_model_load_from_file", FunctionDescriptor.of(PTR, PTR, MODEL_PARAMS));
            initFromModel = fn(lib, "llama_init_from_model", FunctionDescriptor.of(PTR, PTR, CONTEXT_PARAMS));
            modelGetVocab = fn(lib, "llama_model_get_vocab", FunctionDescriptor.of(PTR, PTR));
            modelNCtxTrain = fn(lib, "llama_model_n_ctx_train", FunctionDescriptor.of(I32, PTR));
            vocabNTokens = fn(lib, "llama_vocab_n_tokens", FunctionDescriptor.of(I32, PTR));
            vocabBos = fn(lib, "llama_vocab_bos", FunctionDescriptor.of(I32, PTR));
            vocabEos = fn(lib, "llama_vocab_eos", FunctionDescriptor.of(I32, PTR));
            vocabIsEog = fn(lib, "llama_vocab_is_eog", FunctionDescriptor.of(BOOL, PTR, I32));
            vocabGetAddBos = fn(lib, "llama_vocab_get_add_bos", FunctionDescriptor.of(BOOL, PTR));
            tokenize = fn(lib, "llama_tokenize", FunctionDescriptor.of(I32, PTR, PTR, I32, PTR, I32, BOOL, BOOL));
            tokenToPiece = fn(lib, "llama_token_to_piece", FunctionDescriptor.of(I32, PTR, I32, PTR, I32, I32, BOOL));
            batchGetOne = fn(lib, "llama_batch_get_one", FunctionDescriptor.of(BATCH, PTR, I32));
            decode = fn(lib, "llama_decode", FunctionDescriptor.of(I32, PTR, BATCH));
            getLogitsIth = fn(lib, "llama_get_logits_ith", FunctionDescriptor.of(PTR, PTR, I32));
            kvSelfClear = fn(lib, "llama_kv_self_clear", FunctionDescriptor.ofVoid(PTR));
            nCtx = fn(lib, "llama_n_ctx", FunctionDescriptor.of(I32, PTR));
            samplerInitGreedy = fn(lib, "llama_sampler_init_greedy", FunctionDescriptor.of(PTR));
            samplerInitSoftmax = fn(lib, "llama_sampler_init_softmax", FunctionDescriptor.of(PTR));
            samplerSample = fn(lib, "llama_sampler_sample", FunctionDescriptor.of(I32, PTR, PTR, I32));
            samplerApply = fn(lib, "llama_sampler_apply", FunctionDescriptor.ofVoid(PTR, PTR));
            samplerFree = fn(lib, "llama_sampler_free", FunctionDescriptor.ofVoid(PTR));
            free = fn(lib, "llama_free", FunctionDescriptor.ofVoid(PTR));
            modelFree = fn(lib, "llama_model_free", FunctionDescriptor.ofVoid(PTR));
            modelNEmbd = fn(lib, "llama_model_n_embd", FunctionDescriptor.of(I32, PTR));
            getEmbeddingsIth = fn(lib, "llama_get_embeddings_ith", FunctionDescriptor.of(PTR, PTR, I32));
        }

        private static MethodHandle fn(SymbolLookup lib, String name, FunctionDescriptor descriptor) {
            MemorySegment symbol = lib.find(name).orElseThrow(() -> new IllegalStateException(
                    "llama.cpp symbol " + name + " not found through SymbolLookup.loaderLookup(): the de.kherud:llama"
                    + " native library must be loaded by this class loader (tests on the class path)"));
            return Linker.nativeLinker().downcallHandle(symbol, descriptor);
        }
    }

    private static Native nativeApi;
    private static IllegalStateException loadFailure;
    private static MemorySegment logCallback;
    private static String buildInfo;
    private static final Deque<String> LOG = new ArrayDeque<>();
    private static final int LOG_LINES = 200;
    private static final boolean VERBOSE = Boolean.getBoolean("basalt.oracle.verbose");

    /**
     * Loads the binding's native library (extracting it from the jar) and binds the C API. Throws
     * {@link IllegalStateException} with the cause when the library cannot be loaded on this platform.
     */
    public static synchronized void loadNativeLibrary() {
        if (nativeApi != null) return;
        if (loadFailure != null) throw new IllegalStateException(loadFailure.getMessage(), loadFailure);
        try {
            bind();
        } catch (IllegalStateException e) {
            loadFailure = e;
            throw e;
        }
    }

    private static void bind() {
        try {
            if (System.getProperty("de.kherud.llama.tmpdir") == null) {
                // A private extraction folder: the binding's loader deletes every "jllama*"/"llama*" file it finds
                // in its folder at start-up, which races with other JVMs sharing java.io.tmpdir.
                Path dir = Files.createTempDirectory("basalt-jllama-");
                dir.toFile().deleteOnExit();
                System.setProperty("de.kherud.llama.tmpdir", dir.toString());
            }
            Class.forName("de.kherud.llama.LlamaModel", true, LlamaCppOracle.class.getClassLoader());
        } catch (Throwable e) {
            Throwable cause = e instanceof ExceptionInInitializerError && e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("llama.cpp native library of de.kherud:llama could not be loaded on "
                    + System.getProperty("os.name") + "/" + System.getProperty("os.arch") + ": " + cause, cause);
        }
        SymbolLookup lib = SymbolLookup.loaderLookup();
        Native api = new Native(lib);
        MemorySegment buildNumber = lib.find("LLAMA_BUILD_NUMBER").orElse(MemorySegment.NULL);
        MemorySegment commit = lib.find("LLAMA_COMMIT").orElse(MemorySegment.NULL);
        buildInfo = (buildNumber.equals(MemorySegment.NULL) ? "b?" : "b" + buildNumber.reinterpret(4).get(I32, 0))
                + (commit.equals(MemorySegment.NULL) ? ""
                        : " (" + commit.reinterpret(8).get(PTR, 0).reinterpret(64).getString(0) + ")");
        try {
            MethodHandle sink = MethodHandles.lookup().findStatic(LlamaCppOracle.class, "onLog",
                    MethodType.methodType(void.class, int.class, MemorySegment.class, MemorySegment.class));
            logCallback = Linker.nativeLinker().upcallStub(sink,
                    FunctionDescriptor.ofVoid(I32, PTR, PTR), Arena.global());
            api.logSet.invokeExact(logCallback, MemorySegment.NULL);
            api.backendInit.invokeExact();
        } catch (Throwable e) {
            throw new IllegalStateException("llama.cpp initialisation failed", e);
        }
        nativeApi = api;
    }

    /** llama.cpp log sink: kept in memory (for error messages), echoed with -Dbasalt.oracle.verbose=true. */
    private static void onLog(int level, MemorySegment text, MemorySegment userData) {
        String line = text.equals(MemorySegment.NULL) ? "" : text.reinterpret(Long.MAX_VALUE).getString(0);
        synchronized (LOG) {
            if (LOG.size() == LOG_LINES) LOG.removeFirst();
            LOG.addLast(line);
        }
        if (VERBOSE || level == GGML_LOG_LEVEL_ERROR) System.err.print("[llama.cpp] " + line);
    }

    private static String logTail() {
        synchronized (LOG) {
            return String.join("", LOG);
        }
    }

    /** The bundled llama.cpp build, e.g. {@code "b4916 (c6af2161)"} ({@code LLAMA_BUILD_NUMBER}, {@code LLAMA_COMMIT}). */
    public static synchronized String buildInfo() {
        loadNativeLibrary();
        return buildInfo;
    }

    /** {@code llama_print_system_info()} of the bundled build (CPU features it was compiled for). */
    public static String systemInfo() {
        loadNativeLibrary();
        try {
            MemorySegment s = (MemorySegment) nativeApi.printSystemInfo.invokeExact();
            return s.reinterpret(Long.MAX_VALUE).getString(0);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    private final Native api;
    private final Path gguf;
    private final Options options;
    private final Arena arena = Arena.ofShared();
    private MemorySegment model;
    private MemorySegment ctx;
    private MemorySegment embeddingCtx; // created on demand by meanPooledEmbedding
    private final MemorySegment vocab;
    private MemorySegment greedySampler;
    private MemorySegment softmaxSampler;
    private final int nVocab;
    private final int nCtx;
    private final int bos;
    private final int eos;
    private final boolean addBos;
    private LlamaModel binding; // the binding's server, created on demand by serverGreedyText
    private final GgmlProducts products; // null unless options.recordProducts()

    private LlamaCppOracle(Path gguf, Options options) {
        loadNativeLibrary();
        this.api = nativeApi;
        this.gguf = gguf;
        try {
            MemorySegment mp = (MemorySegment) api.modelDefaultParams.invokeExact((SegmentAllocator) arena);
            mp.set(I32, MODEL_PARAMS.byteOffset(MemoryLayout.PathElement.groupElement("n_gpu_layers")), 0);
            MemorySegment path = arena.allocateFrom(gguf.toAbsolutePath().toString());
            model = (MemorySegment) api.modelLoadFromFile.invokeExact(path, mp);
            if (model.equals(MemorySegment.NULL)) {
                throw new IllegalStateException("llama.cpp could not load " + gguf + "\n" + logTail());
            }
            vocab = (MemorySegment) api.modelGetVocab.invokeExact(model);
            nVocab = (int) api.vocabNTokens.invokeExact(vocab);
            bos = (int) api.vocabBos.invokeExact(vocab);
            eos = (int) api.vocabEos.invokeExact(vocab);
            addBos = (boolean) api.vocabGetAddBos.invokeExact(vocab);
            int trained = (int) api.modelNCtxTrain.invokeExact(model);
            int n = options.contextSize() > 0 ? options.contextSize() : Math.min(trained, 4096);
            this.options = new Options(n, options.threads(), options.kvCache(), options.recordProducts());
            products = options.recordProducts() ? new GgmlProducts(arena) : null;

            MemorySegment cp = (MemorySegment) api.contextDefaultParams.invokeExact((SegmentAllocator) arena);
            setInt(cp, "n_ctx", n);
            setInt(cp, "n_batch", n);
            setInt(cp, "n_ubatch", n);
            setInt(cp, "n_seq_max", 1);
            setInt(cp, "n_threads", options.threads());
            setInt(cp, "n_threads_batch", options.threads());
            setInt(cp, "type_k", options.kvCache().ggmlType);
            setInt(cp, "type_v", options.kvCache().ggmlType);
            setByte(cp, "logits_all", 0);
            setByte(cp, "embeddings", 0);
            setByte(cp, "flash_attn", 0);
            setByte(cp, "no_perf", 1);
            if (products != null) {
                cp.set(PTR, CONTEXT_PARAMS.byteOffset(MemoryLayout.PathElement.groupElement("cb_eval")), products.callback());
                cp.set(PTR, CONTEXT_PARAMS.byteOffset(MemoryLayout.PathElement.groupElement("cb_eval_user_data")),
                        products.userData());
            }
            ctx = (MemorySegment) api.initFromModel.invokeExact(model, cp);
            if (ctx.equals(MemorySegment.NULL)) {
                throw new IllegalStateException("llama.cpp could not create a context for " + gguf + "\n" + logTail());
            }
            nCtx = (int) api.nCtx.invokeExact(ctx);
            greedySampler = (MemorySegment) api.samplerInitGreedy.invokeExact();
            softmaxSampler = (MemorySegment) api.samplerInitSoftmax.invokeExact();
        } catch (RuntimeException e) {
            closeNative();
            throw e;
        } catch (Throwable e) {
            closeNative();
            throw rethrow(e);
        }
    }

    private static void setInt(MemorySegment params, String field, int value) {
        params.set(I32, CONTEXT_PARAMS.byteOffset(MemoryLayout.PathElement.groupElement(field)), value);
    }

    private static void setByte(MemorySegment params, String field, int value) {
        params.set(I8, CONTEXT_PARAMS.byteOffset(MemoryLayout.PathElement.groupElement(field)), (byte) value);
    }

    /** Opens {@code gguf} with {@link Options#defaults()}. */
    public static LlamaCppOracle open(Path gguf) {
        return open(gguf, Options.defaults());
    }

    public static LlamaCppOracle open(Path gguf, Options options) {
        if (!Files.isRegularFile(gguf)) throw new IllegalArgumentException("not a file: " + gguf);
        return new LlamaCppOracle(gguf, options);
    }

    public Options options() {
        return options;
    }

    public int vocabSize() {
        return nVocab;
    }

    public int contextSize() {
        return nCtx;
    }

    public int bos() {
        return bos;
    }

    public int eos() {
        return eos;
    }

    /** Whether llama.cpp adds BOS when tokenizing with {@code add_special} (true for this SPM vocab). */
    public boolean addsBos() {
        return addBos;
    }

    /** Whether {@code token} ends generation ({@code llama_vocab_is_eog}). */
    public synchronized boolean isEndOfGeneration(int token) {
        try {
            return (boolean) api.vocabIsEog.invokeExact(vocab, token);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /**
     * Tokenizes a prompt exactly as llama.cpp's server (and therefore {@link #serverGreedyText}) does:
     * {@code add_special=true} (BOS), {@code parse_special=true}, SPM space prefix.
     */
    public int[] tokenize(String text) {
        return tokenize(text, true, true);
    }

    /** {@code llama_tokenize(vocab, text, addSpecial, parseSpecial)}. */
    public synchronized int[] tokenize(String text, boolean addSpecial, boolean parseSpecial) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        try (Arena local = Arena.ofConfined()) {
            MemorySegment buf = local.allocate(Math.max(1, utf8.length));
            MemorySegment.copy(utf8, 0, buf, ValueLayout.JAVA_BYTE, 0, utf8.length);
            int capacity = utf8.length + 8;
            MemorySegment out = local.allocate(I32, capacity);
            int n = (int) api.tokenize.invokeExact(vocab, buf, utf8.length, out, capacity, addSpecial, parseSpecial);
            if (n < 0) {
                capacity = -n;
                out = local.allocate(I32, capacity);
                n = (int) api.tokenize.invokeExact(vocab, buf, utf8.length, out, capacity, addSpecial, parseSpecial);
            }
            if (n < 0) throw new IllegalStateException("llama_tokenize failed: " + n);
            return out.asSlice(0, (long) n * 4).toArray(I32);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /** {@code llama_token_to_piece(vocab, token, lstrip=0, special=false)}, raw bytes. */
    public synchronized byte[] pieceBytes(int token) {
        try (Arena local = Arena.ofConfined()) {
            int cap = 64;
            MemorySegment buf = local.allocate(cap);
            int n = (int) api.tokenToPiece.invokeExact(vocab, token, buf, cap, 0, false);
            if (n < 0) {
                cap = -n;
                buf = local.allocate(cap);
                n = (int) api.tokenToPiece.invokeExact(vocab, token, buf, cap, 0, false);
            }
            if (n < 0) throw new IllegalStateException("llama_token_to_piece failed for " + token);
            return buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /** {@link #pieceBytes} decoded as UTF-8 (with replacement). */
    public String piece(int token) {
        return new String(pieceBytes(token), StandardCharsets.UTF_8);
    }

    /**
     * The text of a token sequence as llama.cpp's server streams it: the concatenated pieces (special tokens
     * render as ""), decoded as UTF-8 once at the end. The SPM leading space of the first word is kept.
     */
    public String detokenize(int[] tokens) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int t : tokens) bytes.writeBytes(pieceBytes(t));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /**
     * Evaluates {@code tokens} from an empty KV cache (one batch) and returns the raw logits of the last
     * position, over the full vocabulary.
     */
    public synchronized float[] logits(int[] tokens) {
        try (Arena local = Arena.ofConfined()) {
            clearKv();
            evaluate(local, tokens);
            return lastLogits().toArray(F32);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /**
     * Times llama.cpp as {@code llama-bench} does, for a speed comparison in one process: prompt processing, the
     * prompt as one batch from an empty KV cache; then generation, from an empty cache again, {@code genTokens}
     * decodes of one token each, starting from BOS, each next token the greedy one. Returns the two wall times in
     * nanoseconds, {prompt, generation}.
     */
    public synchronized long[] time(int[] promptTokens, int genTokens) {
        if (promptTokens.length == 0 || promptTokens.length > nCtx || genTokens < 1 || genTokens > nCtx) {
            throw new IllegalArgumentException("prompt of " + promptTokens.length + " and " + genTokens
                    + " generated tokens for a context of " + nCtx);
        }
        try (Arena local = Arena.ofConfined()) {
            clearKv();
            long t0 = System.nanoTime();
            evaluate(local, promptTokens);
            long t1 = System.nanoTime();
            clearKv();
            MemorySegment one = local.allocate(I32);
            int token = bos >= 0 ? bos : 0;
            long t2 = System.nanoTime();
            for (int i = 0; i < genTokens; i++) {
                one.set(I32, 0, token);
                decode(local, one, 1);
                token = (int) api.samplerSample.invokeExact(greedySampler, ctx, -1);
            }
            long t3 = System.nanoTime();
            return new long[] {t1 - t0, t3 - t2};
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /** Greedy decoding from a text prompt, tokenized by {@link #tokenize(String)} (BOS only when empty). */
    public Result greedy(String prompt, int maxTokens) {
        int[] tokens = tokenize(prompt);
        if (tokens.length == 0) tokens = new int[] {bos};
        return greedy(tokens, maxTokens);
    }

    /** Greedy decoding from prompt token ids (passed as given: include BOS yourself). */
    public synchronized Result greedy(int[] promptTokens, int maxTokens) {
        if (promptTokens.length == 0) throw new IllegalArgumentException("empty prompt: pass at least BOS");
        if (promptTokens.length > nCtx) {
            throw new IllegalArgumentException("prompt of " + promptTokens.length + " tokens > context " + nCtx);
        }
        List<Step> steps = new ArrayList<>();
        try (Arena local = Arena.ofConfined()) {
            clearKv();
            evaluate(local, promptTokens);
            int past = promptTokens.length;
            MemorySegment cur = local.allocate(TOKEN_DATA_SIZE * nVocab, 4);
            MemorySegment curP = local.allocate(TOKEN_DATA_ARRAY);
            MemorySegment one = local.allocate(I32);
            for (int step = 0; step < maxTokens; step++) {
                MemorySegment logits = lastLogits();
                int token = (int) api.samplerSample.invokeExact(greedySampler, ctx, -1);

                for (int id = 0; id < nVocab; id++) {
                    long o = id * TOKEN_DATA_SIZE;
                    cur.set(I32, o, id);
                    cur.set(F32, o + 4, logits.getAtIndex(F32, id));
                    cur.set(F32, o + 8, 0f);
                }
                curP.set(PTR, 0, cur);
                curP.set(I64, 8, nVocab);
                curP.set(I64, 16, -1L);
                curP.set(I8, 24, (byte) 0);
                api.samplerApply.invokeExact(softmaxSampler, curP);
                long size = curP.get(I64, 8);
                if (size != nVocab) throw new IllegalStateException("softmax changed the candidate count: " + size);
                steps.add(step(token, cur));

                if ((boolean) api.vocabIsEog.invokeExact(vocab, token)) break;
                if (past >= nCtx || step + 1 == maxTokens) break;
                one.set(I32, 0, token);
                decode(local, one, 1);
                past++;
            }
        } catch (Throwable e) {
            throw rethrow(e);
        }
        return new Result(promptTokens, steps);
    }

    /**
     * Greedy decoding that keeps llama.cpp's raw logits at every step: one {@code llama_decode} per token, prompt
     * tokens included (as Basalt runs them), exactly {@code steps} tokens (no stop on end-of-generation, so that
     * every step is compared); each token is the argmax of the step's logits by llama.cpp's greedy sampler. No
     * softmax or sorting over the vocabulary, so a step costs one copy of the logits (this is what the parity tests
     * use on 128k-152k vocabularies).
     */
    public synchronized Trace greedyTrace(int[] promptTokens, int steps) {
        if (promptTokens.length == 0) throw new IllegalArgumentException("empty prompt: pass at least BOS");
        if (promptTokens.length + steps - 1 > nCtx) {
            throw new IllegalArgumentException(promptTokens.length + " prompt tokens + " + steps + " steps > context " + nCtx);
        }
        int[] tokens = new int[steps];
        List<float[]> logits = new ArrayList<>(steps);
        try (Arena local = Arena.ofConfined()) {
            clearKv();
            if (products != null) products.clear();
            MemorySegment one = local.allocate(I32);
            for (int pos = 0; pos < promptTokens.length; pos++) {
                if (products != null) products.begin(pos);
                one.set(I32, 0, promptTokens[pos]);
                decode(local, one, 1);
            }
            for (int step = 0; step < steps; step++) {
                logits.add(lastLogits().toArray(F32));
                tokens[step] = (int) api.samplerSample.invokeExact(greedySampler, ctx, -1);
                if (step + 1 == steps) break;
                if (products != null) products.begin(promptTokens.length + step);
                one.set(I32, 0, tokens[step]);
                decode(local, one, 1);
            }
        } catch (Throwable e) {
            throw rethrow(e);
        }
        return new Trace(promptTokens, tokens, logits, products == null ? List.of() : products.positions());
    }

    /**
     * A greedy run with llama.cpp's raw logits.
     *
     * @param promptTokens the evaluated prompt
     * @param tokens the generated ids, in order
     * @param logits the raw logits (V) from which each token was chosen: {@code logits.get(i)} follows the prompt and
     *     {@code tokens[0, i)}
     * @param productInputs per position of {@link #path()} but the last, the F32 input of each weight product by
     *     weight name ({@link GgmlProducts}); empty unless {@link Options#recordProducts()}
     */
    public record Trace(int[] promptTokens, int[] tokens, List<float[]> logits, List<Map<String, float[]>> productInputs) {
        public Trace {
            promptTokens = promptTokens.clone();
            tokens = tokens.clone();
            logits = List.copyOf(logits);
            productInputs = List.copyOf(productInputs);
        }

        /** The prompt followed by the generated tokens: the path a teacher-forced engine is fed. */
        public int[] path() {
            int[] out = Arrays.copyOf(promptTokens, promptTokens.length + tokens.length);
            System.arraycopy(tokens, 0, out, promptTokens.length, tokens.length);
            return out;
        }
    }

    private Step step(int token, MemorySegment cur) {
        int[] ids = new int[nVocab];
        float[] probs = new float[nVocab];
        for (int i = 0; i < nVocab; i++) {
            long o = i * TOKEN_DATA_SIZE;
            ids[i] = cur.get(I32, o);
            probs[i] = cur.get(F32, o + 8);
        }
        Integer[] order = new Integer[nVocab];
        for (int i = 0; i < nVocab; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> {
            int c = Float.compare(probs[b], probs[a]);
            return c != 0 ? c : Integer.compare(ids[a], ids[b]);
        });
        int k = Math.min(TOP_K, nVocab);
        int[] topIds = new int[k];
        float[] topProbs = new float[k];
        for (int i = 0; i < k; i++) {
            topIds[i] = ids[order[i]];
            topProbs[i] = probs[order[i]];
        }
        return new Step(token, piece(token), topIds, topProbs);
    }

    private void clearKv() throws Throwable {
        api.kvSelfClear.invokeExact(ctx);
    }

    private void evaluate(Arena local, int[] tokens) throws Throwable {
        MemorySegment seg = local.allocateFrom(I32, tokens);
        decode(local, seg, tokens.length);
    }

    private void decode(Arena local, MemorySegment tokens, int n) throws Throwable {
        MemorySegment batch = (MemorySegment) api.batchGetOne.invokeExact((SegmentAllocator) local, tokens, n);
        int rc = (int) api.decode.invokeExact(ctx, batch);
        if (rc != 0) throw new IllegalStateException("llama_decode returned " + rc + "\n" + logTail());
    }

    private MemorySegment lastLogits() throws Throwable {
        MemorySegment p = (MemorySegment) api.getLogitsIth.invokeExact(ctx, -1);
        if (p.equals(MemorySegment.NULL)) throw new IllegalStateException("no logits\n" + logTail());
        return p.reinterpret(4L * nVocab);
    }

    /**
     * llama.cpp's mean-pooled sentence embedding of {@code tokens} (passed as given: include BOS yourself): the
     * average over every token, BOS included, of {@link #tokenEmbeddings}, i.e. of the final hidden states after
     * the output norm ({@code result_norm}, the input of the output head), which is what llama.cpp's
     * {@code LLAMA_POOLING_TYPE_MEAN} averages ({@code res->t_embd} times a matrix of {@code 1/n}). Summed in
     * double here, in token order. <b>Not normalized</b>, like {@code llama_get_embeddings_seq}: llama.cpp leaves
     * that to its callers ({@code common_embd_normalize}).
     *
     * <h4>Why not llama.cpp's own MEAN pooling</h4>
     * In this build (b4916) a context with {@code pooling_type = LLAMA_POOLING_TYPE_MEAN} aborts the process in
     * {@code llama_init_from_model}: the worst-case graph reserve builds the pooling product with a token count
     * and an output count that disagree, {@code GGML_ASSERT(ggml_can_mul_mat(a, b))} in {@code build_pooling}
     * (llama.cpp issue #12517, a regression of the llama_context refactor #12181, fixed by #12545 "context : fix
     * worst-case reserve outputs", after b4916). The binding's {@code LlamaModel.embed} aborts the JVM the same
     * way. Pooling NONE builds no pooling product, so the per-token states are read instead and averaged here.
     *
     * @return {@code llama_model_n_embd} floats
     * @throws IllegalArgumentException if {@code tokens} is empty or longer than {@link #contextSize()}
     */
    public synchronized float[] meanPooledEmbedding(int[] tokens) {
        float[][] states = tokenEmbeddings(tokens);
        int nEmbd = states[0].length;
        double[] sum = new double[nEmbd];
        for (float[] row : states) {
            for (int d = 0; d < nEmbd; d++) sum[d] += row[d];
        }
        float[] mean = new float[nEmbd];
        for (int d = 0; d < nEmbd; d++) mean[d] = (float) (sum[d] / states.length);
        return mean;
    }

    /**
     * llama.cpp's per-token embeddings of {@code tokens} (passed as given): a second context of the same size,
     * threads and KV cache type as the oracle's, created on first use with {@code embeddings = true},
     * {@code pooling_type = LLAMA_POOLING_TYPE_NONE} and {@code logits_all = true}; the tokens are one
     * {@code llama_decode} batch (positions 0.., sequence 0, every token an output, {@code n_batch = n_ubatch =
     * n_ctx}) from an empty KV cache, and row {@code i} is {@code llama_get_embeddings_ith(ctx, i)}: token {@code i}'s final hidden state
     * after the output norm.
     *
     * @return {@code tokens.length} rows of {@code llama_model_n_embd} floats
     * @throws IllegalArgumentException if {@code tokens} is empty or longer than {@link #contextSize()}
     */
    public synchronized float[][] tokenEmbeddings(int[] tokens) {
        if (tokens.length == 0) throw new IllegalArgumentException("no tokens to embed");
        if (tokens.length > nCtx) {
            throw new IllegalArgumentException(tokens.length + " tokens to embed, over the context of " + nCtx);
        }
        try (Arena local = Arena.ofConfined()) {
            MemorySegment ectx = embeddingContext();
            api.kvSelfClear.invokeExact(ectx);
            int rc = (int) api.decode.invokeExact(ectx, allOutputsBatch(local, tokens));
            if (rc != 0) throw new IllegalStateException("llama_decode (embeddings) returned " + rc + "\n" + logTail());
            int nEmbd = (int) api.modelNEmbd.invokeExact(model);
            float[][] rows = new float[tokens.length][];
            for (int i = 0; i < tokens.length; i++) {
                MemorySegment p = (MemorySegment) api.getEmbeddingsIth.invokeExact(ectx, i);
                if (p.equals(MemorySegment.NULL)) {
                    throw new IllegalStateException("no embedding for token " + i + "\n" + logTail());
                }
                rows[i] = p.reinterpret(4L * nEmbd).toArray(F32);
            }
            return rows;
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /**
     * A {@code llama_batch} of {@code tokens} at positions 0.. in sequence 0 with every token an output
     * ({@code logits[i] = 1}); {@code llama_batch_get_one} leaves {@code logits} NULL, which this build reads as
     * "the last token only" whatever {@code logits_all} says.
     */
    private static MemorySegment allOutputsBatch(Arena local, int[] tokens) {
        int n = tokens.length;
        MemorySegment seq0 = local.allocateFrom(I32, 0);
        MemorySegment pos = local.allocate(I32, n);
        MemorySegment nSeqId = local.allocate(I32, n);
        MemorySegment seqId = local.allocate(PTR, n);
        MemorySegment logits = local.allocate(I8, n);
        for (int i = 0; i < n; i++) {
            pos.setAtIndex(I32, i, i);
            nSeqId.setAtIndex(I32, i, 1);
            seqId.setAtIndex(PTR, i, seq0);
            logits.set(I8, i, (byte) 1);
        }
        MemorySegment batch = local.allocate(BATCH);
        batch.set(I32, BATCH.byteOffset(MemoryLayout.PathElement.groupElement("n_tokens")), n);
        batch.set(PTR, BATCH.byteOffset(MemoryLayout.PathElement.groupElement("token")), local.allocateFrom(I32, tokens));
        batch.set(PTR, BATCH.byteOffset(MemoryLayout.PathElement.groupElement("embd")), MemorySegment.NULL);
        batch.set(PTR, BATCH.byteOffset(MemoryLayout.PathElement.groupElement("pos")), pos);
        batch.set(PTR, BATCH.byteOffset(MemoryLayout.PathElement.groupElement("n_seq_id")), nSeqId);
        batch.set(PTR, BATCH.byteOffset(MemoryLayout.PathElement.groupElement("seq_id")), seqId);
        batch.set(PTR, BATCH.byteOffset(MemoryLayout.PathElement.groupElement("logits")), logits);
        return batch;
    }

    private MemorySegment embeddingContext() throws Throwable {
        if (embeddingCtx != null) return embeddingCtx;
        MemorySegment cp = (MemorySegment) api.contextDefaultParams.invokeExact((SegmentAllocator) arena);
        setInt(cp, "n_ctx", nCtx);
        setInt(cp, "n_batch", nCtx);
        setInt(cp, "n_ubatch", nCtx);
        setInt(cp, "n_seq_max", 1);
        setInt(cp, "n_threads", options.threads());
        setInt(cp, "n_threads_batch", options.threads());
        setInt(cp, "pooling_type", LLAMA_POOLING_TYPE_NONE);
        setInt(cp, "type_k", options.kvCache().ggmlType);
        setInt(cp, "type_v", options.kvCache().ggmlType);
        setByte(cp, "logits_all", 1);
        setByte(cp, "embeddings", 1);
        setByte(cp, "flash_attn", 0);
        setByte(cp, "no_perf", 1);
        MemorySegment c = (MemorySegment) api.initFromModel.invokeExact(model, cp);
        if (c.equals(MemorySegment.NULL)) {
            throw new IllegalStateException("llama.cpp could not create an embedding context for " + gguf + "\n" + logTail());
        }
        embeddingCtx = c;
        return c;
    }

    /**
     * Cross-check through the binding's own high-level API: {@code LlamaModel.complete} (llama.cpp's server
     * loop) at temperature 0 with {@code n_predict = maxTokens}, same context size, threads and KV cache type.
     * Returns the generated text (no EOS text; the SPM leading space of the first word kept). Never requests
     * {@code n_probs}, which crashes this binding version.
     */
    public synchronized String serverGreedyText(String prompt, int maxTokens) {
        if (binding == null) {
            LlamaModel.setLogger(LogFormat.TEXT, (level, message) -> {
                if (VERBOSE) System.err.print("[jllama " + level + "] " + message);
            });
            ModelParameters mp = new ModelParameters()
                    .setModel(gguf.toAbsolutePath().toString())
                    .setCtxSize(nCtx)
                    .setBatchSize(nCtx)
                    .setUbatchSize(nCtx)
                    .setThreads(options.threads())
                    .setThreadsBatch(options.threads())
                    .setParallel(1)
                    .setCacheTypeK(options.kvCache().bindingType)
                    .setCacheTypeV(options.kvCache().bindingType)
                    .skipWarmup();
            if (!VERBOSE) mp.disableLog();
            binding = new LlamaModel(mp);
            try {
                // setLogger installed a JNI trampoline that aborts on threads unknown to the JVM: restore ours.
                api.logSet.invokeExact(logCallback, MemorySegment.NULL);
            } catch (Throwable e) {
                throw rethrow(e);
            }
        }
        InferenceParameters ip = new InferenceParameters(prompt)
                .setTemperature(0f)
                .setNPredict(maxTokens)
                .setCachePrompt(false)
                .setSeed(42);
        return binding.complete(ip);
    }

    @Override
    public synchronized void close() {
        if (binding != null) {
            binding.close();
            binding = null;
        }
        closeNative();
    }

    private void closeNative() {
        try {
            if (greedySampler != null) api.samplerFree.invokeExact(greedySampler);
            if (softmaxSampler != null) api.samplerFree.invokeExact(softmaxSampler);
            if (ctx != null && !ctx.equals(MemorySegment.NULL)) api.free.invokeExact(ctx);
            if (embeddingCtx != null && !embeddingCtx.equals(MemorySegment.NULL)) api.free.invokeExact(embeddingCtx);
            if (model != null && !model.equals(MemorySegment.NULL)) api.modelFree.invokeExact(model);
        } catch (Throwable e) {
            throw rethrow(e);
        } finally {
            if (products != null) products.close();
            greedySampler = null;
            softmaxSampler = null;
            ctx = null;
            embeddingCtx = null;
            model = null;
            if (arena.scope().isAlive()) arena.close();
        }
    }

    private static RuntimeException rethrow(Throwable e) {
        if (e instanceof RuntimeException r) return r;
        if (e instanceof Error err) throw err;
        return new IllegalStateException(e);
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '\n') sb.append("\\n");
            else if (c == '"') sb.append("\\\"");
            else if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
        }
        return sb.append('"').toString();
    }
}

package ai.basalt.testkit.llamacpp;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Records the F32 input of every weight product llama.cpp computes, per position: the second operand of each
 * {@code MUL_MAT} node whose first operand is a model weight ({@code *.weight}), keyed by that weight's name. It is
 * the activation vector exactly as llama.cpp had it before ggml converted it to the weight's {@code vec_dot_type},
 * so a test can round the same bits llama.cpp rounded (see {@code GgmlRoundingOps}).
 *
 * <p>Observed through the graph scheduler's eval callback ({@code llama_context_params.cb_eval}, the hook
 * {@code llama-eval-callback} uses): asked about each node, it wants the weight products; the scheduler then computes
 * the graph up to that node and calls back with its operands computed. Fields of {@code struct ggml_tensor} are read
 * at b4916's offsets ({@code ggml.h}: {@code ne} at 16, {@code nb} at 48, {@code src} at 152, {@code data} at 248,
 * {@code name} at 256), checked against {@code ggml_get_name} on the first node seen. Only single-token batches are
 * recorded (the oracle feeds one token per {@code llama_decode} while recording).
 */
@SuppressWarnings("restricted")
final class GgmlProducts {
    private static final long TENSOR_SIZE = 336, NE = 16, NB = 48, SRC = 152, DATA = 248, NAME = 256;
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG;
    private static final Map<Integer, GgmlProducts> LIVE = new ConcurrentHashMap<>();
    private static final AtomicInteger IDS = new AtomicInteger();
    private static MethodHandle opDesc, getName;
    private static MemorySegment stub;

    private final int id = IDS.incrementAndGet();
    private final MemorySegment userData;
    private final List<Map<String, float[]>> positions = new ArrayList<>();
    private Map<String, float[]> current;
    private RuntimeException failure;

    /** Binds the callback to the loaded library; {@link LlamaCppOracle#loadNativeLibrary()} must have run. */
    GgmlProducts(Arena arena) {
        bind();
        userData = arena.allocateFrom(ValueLayout.JAVA_INT, id);
        LIVE.put(id, this);
    }

    private static synchronized void bind() {
        if (stub != null) return;
        SymbolLookup lib = SymbolLookup.loaderLookup();
        Linker linker = Linker.nativeLinker();
        opDesc = linker.downcallHandle(lib.find("ggml_op_desc").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        getName = linker.downcallHandle(lib.find("ggml_get_name").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        try {
            MethodHandle target = MethodHandles.lookup().findStatic(GgmlProducts.class, "onEval", MethodType.methodType(
                    boolean.class, MemorySegment.class, boolean.class, MemorySegment.class));
            stub = linker.upcallStub(target, FunctionDescriptor.of(ValueLayout.JAVA_BOOLEAN, ValueLayout.ADDRESS,
                    ValueLayout.JAVA_BOOLEAN, ValueLayout.ADDRESS), Arena.global());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The {@code ggml_backend_sched_eval_callback} to put in {@code cb_eval}. */
    MemorySegment callback() {
        return stub;
    }

    /** The {@code cb_eval_user_data} naming this recorder. */
    MemorySegment userData() {
        return userData;
    }

    /** Starts recording the products of the position about to be decoded (positions go 0, 1, 2, ...). */
    void begin(int position) {
        if (position != positions.size()) throw new IllegalStateException("position " + position + " after " + positions.size());
        current = new HashMap<>();
        positions.add(current);
    }

    /** Forgets what was recorded (a new run starts at position 0). */
    void clear() {
        positions.clear();
        current = null;
    }

    /** Per position, the input of each weight product by weight name; rethrows a failure inside the callback. */
    List<Map<String, float[]>> positions() {
        if (failure != null) throw failure;
        List<Map<String, float[]>> out = new ArrayList<>();
        for (Map<String, float[]> p : positions) out.add(Collections.unmodifiableMap(p));
        return out;
    }

    void close() {
        LIVE.remove(id);
    }

    /** The scheduler's callback: asked about a node (ask), or told that it has been computed. Never throws. */
    private static boolean onEval(MemorySegment node, boolean ask, MemorySegment userData) {
        GgmlProducts self = LIVE.get(userData.reinterpret(4).get(ValueLayout.JAVA_INT, 0));
        if (self == null || self.failure != null || self.current == null) return !ask;
        try {
            MemorySegment t = node.reinterpret(TENSOR_SIZE);
            String weight = weightOperand(t);
            if (weight == null) return !ask;
            if (!ask) self.record(t, weight);
            return true;
        } catch (Throwable e) {
            self.failure = e instanceof RuntimeException r ? r : new IllegalStateException(e);
            return !ask;
        }
    }

    /** The name of the weight multiplied by node t, or null when t is not a product with a model weight. */
    private static String weightOperand(MemorySegment t) throws Throwable {
        checkLayout(t);
        if (!cString((MemorySegment) opDesc.invokeExact(t)).equals("MUL_MAT")) return null;
        MemorySegment src0 = t.get(ValueLayout.ADDRESS, SRC).reinterpret(TENSOR_SIZE);
        String name = src0.getString(NAME);
        return name.endsWith(".weight") ? name : null;
    }

    private void record(MemorySegment t, String weight) {
        MemorySegment x = t.get(ValueLayout.ADDRESS, SRC + 8).reinterpret(TENSOR_SIZE);
        if (x.get(ValueLayout.JAVA_INT, 0) != 0) throw new IllegalStateException("input of " + weight + " is not F32");
        long cols = x.get(I64, NE), rows = x.get(I64, NE + 8), stride = x.get(I64, NB);
        if (rows != 1) throw new IllegalStateException("input of " + weight + " has " + rows + " tokens; record one at a time");
        MemorySegment data = x.get(ValueLayout.ADDRESS, DATA).reinterpret(cols * stride);
        float[] v = new float[Math.toIntExact(cols)];
        for (int i = 0; i < v.length; i++) v[i] = data.get(ValueLayout.JAVA_FLOAT, i * stride);
        if (current.put(weight, v) != null) throw new IllegalStateException(weight + " multiplied twice in one position");
    }

    private static boolean layoutChecked;

    private static void checkLayout(MemorySegment t) throws Throwable {
        if (layoutChecked) return;
        long name = ((MemorySegment) getName.invokeExact(t)).address();
        if (name != t.address() + NAME) {
            throw new IllegalStateException("struct ggml_tensor: name at +" + (name - t.address()) + ", expected +" + NAME
                    + " (b4916's layout); update GgmlProducts' offsets for this build");
        }
        layoutChecked = true;
    }

    private static String cString(MemorySegment p) {
        return p.reinterpret(64).getString(0);
    }
}

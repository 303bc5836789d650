package ai.basalt.model;

/**
 * The per-sequence state of a model: its KV cache and scratch buffers. One state serves one sequence at
 * a time; positions are written in order from 0.
 */
public interface InferenceState {

    /** Number of positions this state can hold (the context length it was created with). */
    int capacity();

    /** Bytes the state's KV cache takes now (it grows with the positions written). */
    default long cacheBytes() {
        return 0;
    }
}

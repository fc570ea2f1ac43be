package dev.tensorbackend.cpu;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * One kind of per-thread scratch buffer of one backend (the zero-bordered image copies, the
 * patch-gradient matrices). A thread's buffer is kept for its next call only while it is at
 * most {@code capFloats} long: a larger request gets a fresh array that the garbage collector
 * takes after the call, so one huge convolution does not pin its scratch for the life of the
 * pool threads. {@link #release()} (the backend's close) drops every kept buffer. Threads are
 * held weakly, so a caller thread that ends takes its buffer with it.
 */
final class Scratch {
    /** 4 Mi floats (16 MiB) per thread and kind: every convolution of the benchmarks' mid size fits. */
    static final int DEFAULT_CAP_FLOATS = 4 << 20;

    private final int capFloats;
    private final Map<Thread, float[]> kept = Collections.synchronizedMap(new WeakHashMap<>());

    Scratch(int capFloats) {
        this.capFloats = capFloats;
    }

    /**
     * A buffer of at least {@code size} floats for the calling thread, contents undefined; valid
     * until this thread takes the next one from this scratch.
     */
    float[] take(int size) {
        if (size > capFloats) {
            return new float[size];
        }
        Thread me = Thread.currentThread();
        float[] b = kept.get(me);
        if (b == null || b.length < size) {
            b = new float[size];
            kept.put(me, b);
        }
        return b;
    }

    /** Bytes of the buffers kept now. */
    long retainedBytes() {
        synchronized (kept) {
            return kept.values().stream().mapToLong(b -> (long) b.length * Float.BYTES).sum();
        }
    }

    void release() {
        kept.clear();
    }
}

package dev.tensorbackend.cpu;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The float arrays of closed tensors, kept by length for the next result of that length: a
 * training loop makes the same shapes every step, so after the first step its ops take their
 * outputs from here. A fresh array costs more than its zeroing: the memory it lands in is
 * cold (or not yet mapped) and, at 4 MB, allocating and zeroing it took longer than the
 * softmax that filled it. Bounded by {@code capBytes}: an array that does not fit is left to
 * the garbage collector. Thread-safe; arrays are zeroed outside the lock, in parallel on the
 * pool when large.
 */
class ArrayCache implements OutputArrays { // not final: a test poisons uninitialized arrays with NaN
    /** Below this many floats one thread zeroes a recycled array: a hand-off would cost more. */
    private static final int PARALLEL_FILL_MIN = 1 << 18;
    private static final int FILL_CHUNK = 1 << 16;

    private final long capBytes;
    private final CpuPool pool;
    private final Map<Integer, ArrayDeque<float[]>> free = new HashMap<>();
    private long cachedBytes;

    ArrayCache(long capBytes, CpuPool pool) {
        this.capBytes = capBytes;
        this.pool = pool;
    }

    /** An eighth of the heap the JVM may grow to: room for a step's tensors without crowding the rest. */
    static long defaultCapBytes() {
        return Runtime.getRuntime().maxMemory() / 8;
    }

    @Override
    public float[] uninitialized(int length) {
        float[] a = take(length);
        return a != null ? a : new float[length];
    }

    @Override
    public float[] zeroed(int length) {
        float[] a = take(length);
        if (a == null) {
            return new float[length];
        }
        if (length < PARALLEL_FILL_MIN) {
            Arrays.fill(a, 0f);
        } else {
            pool.forEach((length + FILL_CHUNK - 1) / FILL_CHUNK,
                    c -> Arrays.fill(a, c * FILL_CHUNK, Math.min(length, (c + 1) * FILL_CHUNK), 0f));
        }
        return a;
    }

    private synchronized float[] take(int length) {
        ArrayDeque<float[]> q = free.get(length);
        if (q == null || q.isEmpty()) {
            return null;
        }
        cachedBytes -= bytes(length);
        return q.pop(); // the most recently closed: likeliest to be in cache
    }

    /** Keeps the array of a closed tensor, unless that would pass the cap. */
    synchronized void give(float[] a) {
        if (a.length == 0 || cachedBytes + bytes(a.length) > capBytes) {
            return;
        }
        free.computeIfAbsent(a.length, len -> new ArrayDeque<>()).push(a);
        cachedBytes += bytes(a.length);
    }

    /** Drops every kept array (the backend's close and trimCache). */
    synchronized void clear() {
        free.clear();
        cachedBytes = 0;
    }

    synchronized long cachedBytes() {
        return cachedBytes;
    }

    private static long bytes(int length) {
        return (long) length * Float.BYTES;
    }
}

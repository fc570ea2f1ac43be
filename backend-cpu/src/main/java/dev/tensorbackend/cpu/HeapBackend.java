package dev.tensorbackend.cpu;

import dev.tensorbackend.api.AbstractBackend;
import dev.tensorbackend.api.MemoryStats;
import dev.tensorbackend.api.Shape;

/**
 * What the two heap backends ({@code cpu} and {@code reference}) share: tensors are float
 * arrays on the Java heap, and the live and peak bytes of open tensors are counted. The
 * counters are guarded, so concurrent calls from many threads keep them exact; the ops
 * themselves only read their inputs and write arrays no open tensor holds (new ones, or on
 * the cpu backend those of closed tensors), which is what makes these backends safe for
 * concurrent use.
 */
abstract class HeapBackend extends AbstractBackend<CpuTensor> {
    private final Object counters = new Object();
    private long liveBytes;
    private long peakBytes;

    HeapBackend() {
        super(CpuTensor.class);
    }

    /** A new tensor owning {@code data}. */
    final CpuTensor tensor(Shape shape, float[] data) {
        return new CpuTensor(this, shape, newStorage(data));
    }

    private HeapStorage newStorage(float[] data) {
        synchronized (counters) {
            liveBytes += (long) data.length * Float.BYTES;
            peakBytes = Math.max(peakBytes, liveBytes);
        }
        return new HeapStorage(data);
    }

    final void released(CpuTensor t) {
        dropHolder(t.storage());
    }

    /** One tensor fewer holds {@code s}; the last one out gives the array back. */
    private void dropHolder(HeapStorage s) {
        boolean last;
        synchronized (counters) {
            last = --s.holders == 0;
            if (last) {
                liveBytes -= (long) s.data.length * Float.BYTES;
            }
        }
        if (last) {
            recycle(s.data);
        }
    }

    /**
     * {@code y}'s elements, to be changed in place (axpy): where a reshape shares them, y first
     * gets a copy of its own, so that the other tensors keep their values.
     */
    final float[] writable(CpuTensor y) {
        HeapStorage shared = y.storage();
        synchronized (counters) {
            if (shared.holders == 1) {
                return shared.data;
            }
        }
        HeapStorage own = newStorage(copyOf(shared.data));
        y.replaceStorage(own);
        dropHolder(shared);
        return own.data;
    }

    /** Where op results and zero tensors get their arrays: new ones unless a subclass keeps closed tensors' arrays. */
    OutputArrays arrays() {
        return OutputArrays.NEW;
    }

    /** The array of a tensor just closed, which nothing reads any more; dropped unless a subclass keeps it. */
    void recycle(float[] data) {
    }

    /** Bytes of closed tensors' arrays kept for reuse. */
    long cachedBytes() {
        return 0;
    }

    /**
     * Live bytes are the float arrays of tensors not yet closed, each array once however many
     * reshapes share it (a tensor dropped without closing counts until closed, even after the
     * garbage collector took it); peak is the most
     * there ever were; cached bytes are closed tensors' arrays kept for reuse (the cpu
     * backend's {@link ArrayCache}; always 0 on the reference backend). The heap is no driver:
     * driver calls are always 0.
     */
    @Override
    public MemoryStats memoryStats() {
        synchronized (counters) {
            return new MemoryStats(liveBytes, cachedBytes(), peakBytes, 0, 0);
        }
    }

    @Override
    protected final CpuTensor allocate(Shape shape, float[] data) {
        return tensor(shape, copyOf(data));
    }

    /**
     * A copy in an array from {@link #arrays()}: every array a tensor holds must come from
     * there, or each closed copy would be one more array kept than taken, and the cache would
     * fill up with them (it did: to its cap, 790 MB, in 4,000 training steps).
     */
    final float[] copyOf(float[] data) {
        float[] copy = arrays().uninitialized(data.length);
        System.arraycopy(data, 0, copy, 0, data.length);
        return copy;
    }

    @Override
    protected final CpuTensor allocateZeros(Shape shape) {
        return tensor(shape, arrays().zeroed(shape.size()));
    }

    @Override
    protected final float[] read(CpuTensor t) {
        return t.data().clone();
    }

    /** A reshape: the same elements under another shape, shared, not copied ({@link HeapStorage}). */
    @Override
    protected final CpuTensor copyAs(CpuTensor x, Shape shape) {
        HeapStorage s = x.storage();
        synchronized (counters) {
            s.holders++;
        }
        return new CpuTensor(this, shape, s);
    }

    @Override
    protected final void doSynchronize() {
        // every op has finished when it returns
    }
}

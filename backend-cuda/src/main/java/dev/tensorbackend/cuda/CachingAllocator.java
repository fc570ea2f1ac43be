package dev.tensorbackend.cuda;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import dev.tensorbackend.api.BackendException;
import dev.tensorbackend.api.MemoryStats;
import jcuda.driver.CUdeviceptr;

/**
 * The backend's device memory: a block freed by a closed tensor goes into a free list of its
 * size class, and the next request of that class takes it back without calling the driver.
 *
 * <p><b>Size classes.</b> A request of {@code n} bytes is rounded up to a multiple of
 * {@value #SMALL_GRANULE} B when {@code n <= } {@value #SMALL_LIMIT} B (1 MiB), else to a multiple of
 * {@value #LARGE_GRANULE} B (2 MiB, the driver's own page size for large allocations, so the
 * rounding mostly costs memory the driver would have taken anyway). Each rounded size is its own
 * free list and a block only serves requests of exactly its class: a freed 8 MiB block never
 * serves a 2 MiB request, so no block is ever split and waste stays under one granule.
 *
 * <p><b>Reuse and queued work.</b> A block is put back on its list as soon as its tensor is
 * closed, while kernels that read or write it may still be queued. That is safe because every
 * kernel, copy and memset of the backend runs on its one stream: whatever later reuses the block
 * is queued behind all of them and starts after they finish.
 *
 * <p><b>Driver frees</b> happen only in {@link #trim()}, in {@link #close()}, and when the driver
 * runs out of memory: then the cache is freed and the allocation tried once more before an
 * out-of-memory {@link BackendException} names the bytes asked for, live and cached. Each of
 * these first waits for queued work, so no block goes back to the driver while a kernel uses it.
 *
 * <p>Zero bytes allocate nothing: the pointer is null (address 0), which no kernel reads.
 */
final class CachingAllocator {
    static final long SMALL_GRANULE = 512;
    static final long SMALL_LIMIT = 1 << 20;
    static final long LARGE_GRANULE = 2 << 20;

    private final RawDeviceMemory raw;
    private final Map<CUdeviceptr, Long> live = new IdentityHashMap<>();
    private final Map<Long, ArrayDeque<CUdeviceptr>> free = new HashMap<>();
    private long liveBytes;
    private long cachedBytes;
    private long peakBytes;
    private long driverAllocations;
    private long driverFrees;

    CachingAllocator(RawDeviceMemory raw) {
        this.raw = raw;
    }

    /** The size class of a request of {@code bytes} (more than 0): see the class comment. */
    static long sizeClass(long bytes) {
        long granule = bytes <= SMALL_LIMIT ? SMALL_GRANULE : LARGE_GRANULE;
        return (bytes + granule - 1) / granule * granule;
    }

    /** A block of at least {@code bytes}; {@code forWhat} names it in an out-of-memory error. */
    CUdeviceptr allocate(long bytes, String forWhat) {
        if (bytes == 0) {
            return new CUdeviceptr();
        }
        long size = sizeClass(bytes);
        ArrayDeque<CUdeviceptr> list = free.get(size);
        CUdeviceptr p = list == null ? null : list.pollLast();
        if (p != null) {
            cachedBytes -= size;
        } else {
            p = fromDriver(size);
            if (p == null) {
                long cachedBefore = cachedBytes;
                trim();
                p = fromDriver(size);
                if (p == null) {
                    throw new BackendException("cuda: out of device memory allocating " + bytes + " bytes for " + forWhat
                            + " (" + size + " with rounding); this backend holds " + liveBytes + " bytes live in "
                            + live.size() + " allocations and had " + cachedBefore
                            + " bytes cached, which were freed before trying once more");
                }
            }
        }
        live.put(p, size);
        liveBytes += size;
        peakBytes = Math.max(peakBytes, liveBytes);
        return p;
    }

    private CUdeviceptr fromDriver(long size) {
        CUdeviceptr p = raw.allocateRaw(size);
        if (p != null) {
            driverAllocations++;
        }
        return p;
    }

    /** Puts a live block back into its free list; a null pointer (zero bytes) or a second release does nothing. */
    void release(CUdeviceptr p) {
        Long size = live.remove(p);
        if (size != null) {
            liveBytes -= size;
            cachedBytes += size;
            free.computeIfAbsent(size, s -> new ArrayDeque<>()).addLast(p);
        }
    }

    /** Returns every cached block to the driver, after the queued work; the bytes freed. */
    long trim() {
        long freed = cachedBytes;
        if (freed == 0) {
            return 0;
        }
        raw.awaitQueuedWork();
        for (ArrayDeque<CUdeviceptr> list : free.values()) {
            for (CUdeviceptr p : list) {
                raw.freeRaw(p);
                driverFrees++;
            }
        }
        free.clear();
        cachedBytes = 0;
        return freed;
    }

    /**
     * Frees everything, cached and live, after the queued work; afterwards the driver has had as
     * many frees as allocations. Waiting may report an earlier kernel's failure: the blocks are
     * freed anyway, then that failure is thrown.
     */
    void close() {
        RuntimeException failure = null;
        try {
            raw.awaitQueuedWork();
        } catch (RuntimeException e) {
            failure = e;
        }
        List<CUdeviceptr> all = new ArrayList<>(live.keySet());
        free.values().forEach(all::addAll);
        for (CUdeviceptr p : all) {
            try {
                raw.freeRaw(p);
                driverFrees++;
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                }
            }
        }
        live.clear();
        free.clear();
        liveBytes = 0;
        cachedBytes = 0;
        if (failure != null) {
            throw failure;
        }
    }

    int liveCount() {
        return live.size();
    }

    long liveBytes() {
        return liveBytes;
    }

    MemoryStats stats() {
        return new MemoryStats(liveBytes, cachedBytes, peakBytes, driverAllocations, driverFrees);
    }
}

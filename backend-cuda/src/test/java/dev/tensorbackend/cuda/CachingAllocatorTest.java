package dev.tensorbackend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import dev.tensorbackend.api.BackendException;
import dev.tensorbackend.api.MemoryStats;
import jcuda.driver.CUdeviceptr;
import org.junit.jupiter.api.Test;

/** The caching allocator over a fake driver that counts its calls and has a fixed capacity: no GPU needed. */
class CachingAllocatorTest {

    /** A device of {@code capacity} bytes; every block it hands out is tracked until freed. */
    static final class FakeDriver implements RawDeviceMemory {
        final long capacity;
        final Map<CUdeviceptr, Long> blocks = new IdentityHashMap<>();
        final List<String> calls = new ArrayList<>();
        long used;
        int allocs, frees, waits, refusals;

        FakeDriver(long capacity) {
            this.capacity = capacity;
        }

        @Override
        public CUdeviceptr allocateRaw(long bytes) {
            calls.add("alloc " + bytes);
            if (used + bytes > capacity) {
                refusals++;
                return null;
            }
            CUdeviceptr p = new CUdeviceptr();
            blocks.put(p, bytes);
            used += bytes;
            allocs++;
            return p;
        }

        @Override
        public void freeRaw(CUdeviceptr p) {
            calls.add("free");
            Long bytes = blocks.remove(p);
            assertTrue(bytes != null, "freed a block the driver does not hold (or twice)");
            used -= bytes;
            frees++;
        }

        @Override
        public void awaitQueuedWork() {
            calls.add("wait");
            waits++;
        }
    }

    @Test
    void sizeClassesRoundSmallTo512BytesAndLargeTo2MiB() {
        assertEquals(512, CachingAllocator.sizeClass(1));
        assertEquals(512, CachingAllocator.sizeClass(512));
        assertEquals(1024, CachingAllocator.sizeClass(513));
        assertEquals(1 << 20, CachingAllocator.sizeClass((1 << 20) - 1));
        assertEquals(1 << 20, CachingAllocator.sizeClass(1 << 20));
        assertEquals(2 << 20, CachingAllocator.sizeClass((1 << 20) + 1));
        assertEquals(4 << 20, CachingAllocator.sizeClass((2 << 20) + 1));
        assertEquals(10L << 30, CachingAllocator.sizeClass(10L << 30));
    }

    @Test
    void aClosedBlockIsReusedForItsSizeClassWithoutTheDriver() {
        FakeDriver d = new FakeDriver(1 << 30);
        CachingAllocator a = new CachingAllocator(d);
        CUdeviceptr p = a.allocate(4000, "x");
        assertEquals(1, d.allocs);
        a.release(p);
        assertEquals(new MemoryStats(0, 4096, 4096, 1, 0), a.stats());
        CUdeviceptr q = a.allocate(3900, "same class (4096)");
        assertSame(p, q, "the cached block comes back");
        assertEquals(1, d.allocs, "no driver call");
        assertEquals(new MemoryStats(4096, 0, 4096, 1, 0), a.stats());
        CUdeviceptr r = a.allocate(5000, "another class");
        assertNotSame(p, r);
        assertEquals(2, d.allocs);
        a.release(q);
        a.release(q); // a second release does nothing
        assertEquals(new MemoryStats(5120, 4096, 9216, 2, 0), a.stats());
        assertEquals(0, d.frees, "nothing goes back to the driver before a trim");
        assertEquals(0, d.waits);
    }

    @Test
    void aLargerCachedBlockDoesNotServeASmallerClass() {
        FakeDriver d = new FakeDriver(1 << 30);
        CachingAllocator a = new CachingAllocator(d);
        a.release(a.allocate(8 << 20, "8 MiB"));
        a.allocate(2 << 20, "2 MiB");
        assertEquals(2, d.allocs);
        assertEquals(8 << 20, a.stats().cachedBytes());
    }

    @Test
    void trimWaitsForQueuedWorkThenFreesOnlyTheCache() {
        FakeDriver d = new FakeDriver(1 << 30);
        CachingAllocator a = new CachingAllocator(d);
        CUdeviceptr kept = a.allocate(100, "kept");
        a.release(a.allocate(100, "x"));
        a.release(a.allocate(3 << 20, "y"));
        d.calls.clear();
        assertEquals(512 + (4 << 20), a.trim());
        assertEquals(List.of("wait", "free", "free"), d.calls, "queued work is waited for before any free");
        assertEquals(new MemoryStats(512, 0, 512 + (4 << 20), 3, 2), a.stats());
        assertEquals(0, a.trim(), "an empty cache: nothing to do");
        assertEquals(1, d.waits, "an empty trim does not even wait");
        assertTrue(d.blocks.containsKey(kept));
    }

    @Test
    void outOfMemoryFreesTheCacheAndTriesOnceMore() {
        FakeDriver d = new FakeDriver(8 << 20);
        CachingAllocator a = new CachingAllocator(d);
        a.release(a.allocate(6 << 20, "cached"));
        CUdeviceptr p = a.allocate(4 << 20, "fits once the cache is gone");
        assertEquals(List.of("alloc 6291456", "alloc 4194304", "wait", "free", "alloc 4194304"), d.calls);
        assertEquals(new MemoryStats(4 << 20, 0, 6 << 20, 2, 1), a.stats());
        assertTrue(d.blocks.containsKey(p));
    }

    @Test
    void outOfMemoryAfterTheRetryNamesBytesAskedLiveAndCached() {
        FakeDriver d = new FakeDriver(8 << 20);
        CachingAllocator a = new CachingAllocator(d);
        a.allocate(4 << 20, "live");
        a.release(a.allocate(2 << 20, "cached"));
        d.calls.clear();
        BackendException e = assertThrows(BackendException.class, () -> a.allocate(5_000_000, "matmul [1000, 1250]"));
        assertEquals(List.of("alloc 6291456", "wait", "free", "alloc 6291456"), d.calls, "exactly one retry");
        String m = e.getMessage();
        assertTrue(m.startsWith("cuda: out of device memory allocating 5000000 bytes for matmul [1000, 1250]"), m);
        assertTrue(m.contains("4194304 bytes live in 1 allocations") && m.contains("had 2097152 bytes cached"), m);
        assertEquals(new MemoryStats(4 << 20, 0, 6 << 20, 2, 1), a.stats());
    }

    @Test
    void closeFreesLiveAndCachedBlocksSoFreesEqualAllocations() {
        FakeDriver d = new FakeDriver(1 << 30);
        CachingAllocator a = new CachingAllocator(d);
        a.allocate(10, "live");
        a.release(a.allocate(20, "cached"));
        a.release(a.allocate(3 << 20, "cached large"));
        a.allocate(0, "empty: no block");
        a.close();
        assertEquals(3, d.allocs);
        assertEquals(d.allocs, d.frees);
        assertTrue(d.blocks.isEmpty());
        assertEquals("wait", d.calls.get(3), "queued work first");
        MemoryStats s = a.stats();
        assertEquals(0, s.liveBytes());
        assertEquals(0, s.cachedBytes());
        assertEquals(s.driverAllocations(), s.driverFrees());
    }

    @Test
    void peakIsTheMostLiveAtOnce() {
        FakeDriver d = new FakeDriver(1 << 30);
        CachingAllocator a = new CachingAllocator(d);
        CUdeviceptr x = a.allocate(512, "x");
        CUdeviceptr y = a.allocate(1024, "y");
        a.release(x);
        a.release(y);
        CUdeviceptr z = a.allocate(512, "z");
        assertEquals(1536, a.stats().peakBytes());
        assertEquals(512, a.stats().liveBytes());
        a.release(z);
        assertEquals(1536, a.stats().peakBytes());
    }

    @Test
    void zeroBytesAllocateNothing() {
        FakeDriver d = new FakeDriver(0);
        CachingAllocator a = new CachingAllocator(d);
        CUdeviceptr p = a.allocate(0, "empty");
        a.release(p);
        assertEquals(List.of(), d.calls);
        assertEquals(new MemoryStats(0, 0, 0, 0, 0), a.stats());
    }
}

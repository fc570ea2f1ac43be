package dev.tensorbackend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorbackend.api.Shape;
import dev.tensorbackend.api.Tensor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The CUDA backend's thread rule: calls from many threads are run one at a time, so its
 * allocator, maps and stream never see two callers at once. Checked on the emulated device,
 * behind a watcher that counts how many threads are inside the device at the same moment.
 */
class CudaThreadsTest {

    @Test
    void callsFromEightThreadsReachTheDeviceOneAtATime() throws Exception {
        EmulatedDevice emulated = EmulatedDevice.start(EmulatedDevice.assumeServer());
        AtomicInteger inside = new AtomicInteger(), most = new AtomicInteger(), calls = new AtomicInteger();
        Device watched = (Device) Proxy.newProxyInstance(Device.class.getClassLoader(), new Class<?>[] {Device.class},
                (proxy, method, args) -> {
                    most.accumulateAndGet(inside.incrementAndGet(), Math::max);
                    calls.incrementAndGet();
                    try {
                        Thread.yield(); // widen the window in which a second caller would overlap
                        return method.invoke(emulated, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    } finally {
                        inside.decrementAndGet();
                    }
                });
        int threads = 8, rounds = 15;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (CudaBackend cuda = CudaBackend.on(watched)) {
            CyclicBarrier start = new CyclicBarrier(threads);
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                float v = i + 1;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int round = 0; round < rounds; round++) {
                        try (Tensor a = cuda.upload(Shape.of(2, 2), new float[] {v, -v, 0, v});
                             Tensor r = cuda.relu(a);
                             Tensor p = cuda.matmul(r, r)) {
                            // relu(a) = [v 0; 0 v], its square [v^2 0; 0 v^2]
                            assertArrayEquals(new float[] {v * v, 0, 0, v * v}, p.toArray(), "thread value " + v);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(2, TimeUnit.MINUTES);
            }
            assertEquals(0, cuda.liveAllocations(), "every tensor was released, from whichever thread closed it");
        } finally {
            pool.shutdownNow();
        }
        assertTrue(calls.get() > threads * rounds * 4, "the device was used: " + calls.get() + " calls");
        assertEquals(1, most.get(), "never two callers inside the device at once");
    }
}

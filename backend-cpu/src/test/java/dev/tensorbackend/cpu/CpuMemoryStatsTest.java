package dev.tensorbackend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tensorbackend.api.MemoryStats;
import dev.tensorbackend.api.Shape;
import dev.tensorbackend.api.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The heap backends count the arrays of open tensors and their peak, and the cpu backend the
 * closed tensors' arrays it keeps for reuse; no driver.
 */
class CpuMemoryStatsTest {

    @Test
    void liveBytesFollowOpenTensorsPeakKeepsTheMostAndClosedArraysAreCached() {
        try (CpuBackend cpu = new CpuBackend()) {
            assertEquals(new MemoryStats(0, 0, 0, 0, 0), cpu.memoryStats());
            Tensor a = cpu.upload(Shape.of(3, 5), new float[15]);
            Tensor b = cpu.zeros(Shape.of(7));
            assertEquals(new MemoryStats(22 * 4, 0, 22 * 4, 0, 0), cpu.memoryStats());
            Tensor c = cpu.add(a, a);
            assertEquals(37 * 4, cpu.memoryStats().liveBytes());
            a.close();
            c.close();
            c.close(); // a second close changes nothing
            assertEquals(new MemoryStats(7 * 4, 30 * 4, 37 * 4, 0, 0), cpu.memoryStats());
            Tensor d = cpu.zeros(Shape.of(5, 3)); // takes one of the two length-15 arrays
            assertEquals(new MemoryStats(22 * 4, 15 * 4, 37 * 4, 0, 0), cpu.memoryStats());
            b.close();
            d.close();
            assertEquals(0, cpu.memoryStats().liveBytes());
            assertEquals("live=0 cached=148 peak=148 driver_allocs=0 driver_frees=0", cpu.memoryStats().line());
            cpu.trimCache();
            assertEquals(new MemoryStats(0, 0, 37 * 4, 0, 0), cpu.memoryStats());
        }
    }

    @Test
    void theReferenceBackendKeepsNothing() {
        try (ReferenceBackend ref = new ReferenceBackend()) {
            Tensor a = ref.upload(Shape.of(4), new float[] {1, 2, 3, 4});
            ref.add(a, a).close();
            a.close();
            assertEquals(new MemoryStats(0, 0, 32, 0, 0), ref.memoryStats());
        }
    }
}

package dev.tensorbackend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tensorbackend.api.MemoryStats;
import dev.tensorbackend.api.Shape;
import dev.tensorbackend.api.Tensor;
import org.junit.jupiter.api.Test;

/** The heap backend counts the arrays of open tensors and their peak; no cache, no driver. */
class CpuMemoryStatsTest {

    @Test
    void liveBytesFollowOpenTensorsAndPeakKeepsTheMost() {
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
            assertEquals(new MemoryStats(7 * 4, 0, 37 * 4, 0, 0), cpu.memoryStats());
            b.close();
            assertEquals(0, cpu.memoryStats().liveBytes());
            assertEquals("live=0 cached=0 peak=148 driver_allocs=0 driver_frees=0", cpu.memoryStats().line());
        }
    }
}

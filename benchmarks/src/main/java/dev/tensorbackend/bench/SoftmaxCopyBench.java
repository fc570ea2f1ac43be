package dev.tensorbackend.bench;

import dev.tensorbackend.bench.workload.SoftmaxCase;
import dev.tensorbackend.bench.workload.Workloads;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The bandwidth softmax is measured against: a plain {@code System.arraycopy} of an array of
 * the softmax benchmark's size into one allocated once, cut into one contiguous part per
 * thread, on as many threads as the CPU backend uses ({@code tensor.cpu.threads}, default
 * every processor), handed to them as quickly as the backend hands out its own work
 * ({@link SpinningHelpers}). Softmax reads and writes the same bytes (and its backward one
 * array more), so its GB/s over this one's is the share of the machine's copy bandwidth it
 * reaches: the report's ours/copy. Until 2026-11-27 the parts went through a parking
 * executor, whose wake-up made the copies of 1024^2 and 2048^2 about half as fast as the
 * machine copies them, and the ratios against it looked twice as good as they were.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1)
public class SoftmaxCopyBench {

    @Param({"1024", "2048", "4096", "8192"})
    public String size;

    private float[] src;
    private float[] dst;
    private SpinningHelpers threads;
    private IntConsumer copyParts;

    @Setup
    public void setUp() {
        SoftmaxCase c = SoftmaxCase.parse(size);
        src = Workloads.random(c.shape(), 1);
        dst = new float[src.length];
        threads = new SpinningHelpers(CpuThreads.count());
        copyParts = this::copyPart;
    }

    @Benchmark
    public float[] copy() {
        threads.run(copyParts);
        return dst;
    }

    private void copyPart(int part) {
        int n = threads.threads();
        int from = (int) ((long) src.length * part / n), to = (int) ((long) src.length * (part + 1) / n);
        System.arraycopy(src, from, dst, from, to - from);
    }

    @TearDown
    public void tearDown() throws InterruptedException {
        threads.close();
    }
}

package dev.tensorbackend.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tensorbackend.bench.workload.MatmulCase;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * PyTorch's matmul (through DJL) on {@link MatmulBench}'s shapes, kernel-only: operands
 * resident as NDArrays. The attention scores multiply by K transposed as a view, as
 * {@code q @ k.transpose(1, 2)} does in PyTorch, not by a transposed copy; the tall and skinny
 * products transpose A or B the same way.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PytorchMatmulBench {

    @Param({"64", "128", "256", "512", "1024", "2048", "4096",
            "qkt-8x64x32", "av-8x64x32", "qkt-32x512x64", "av-32x512x64",
            "tall-16384x64x64", "tallbt-16384x64x64", "wgrad-64x16384x64"})
    public String size;

    private NDManager manager;
    private MatmulCase c;
    private NDArray a;
    private NDArray b;

    @Setup
    public void setUp() {
        c = MatmulCase.parse(size);
        manager = Torch.open();
        a = Torch.create(manager, c.a(), 1);
        b = Torch.create(manager, c.b(), 2);
    }

    @Benchmark
    public void kernelOnly(Blackhole bh) {
        // eager CPU ops return when done; closing frees the result as our backends' finish() does
        try (NDArray at = c.transA() ? lastTwoSwapped(a) : null;
             NDArray bt = c.transB() ? lastTwoSwapped(b) : null;
             NDArray out = (at != null ? at : a).matMul(bt != null ? bt : b)) {
            bh.consume(out);
        }
    }

    /** The transposed view torch.matmul takes as a BLAS transpose flag, as our flags do. */
    private static NDArray lastTwoSwapped(NDArray x) {
        return x.getShape().dimension() == 3 ? x.transpose(0, 2, 1) : x.transpose(1, 0);
    }

    @TearDown
    public void tearDown() {
        manager.close();
    }
}

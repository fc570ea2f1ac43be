package dev.tensorbackend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import dev.tensorbackend.api.BackendException;
import jcuda.driver.CUdeviceptr;
import org.junit.jupiter.api.Test;

/**
 * The softmax forward launch rule (warp kernel up to 1024 columns, fused kernel up to 8192, block
 * kernel beyond), the kernels each {@code -Dtensor.cuda.softmax.kernel} value launches, and the
 * property's parsing, without a GPU.
 */
class SoftmaxKernelChoiceTest {

    /** The kernels a forward and a backward pass over rows of each length launch. */
    private static List<String> kernelsLaunched(SoftmaxLauncher.Kernels choice, int... colsList) {
        RecordingRunner r = new RecordingRunner();
        SoftmaxLauncher softmax = new SoftmaxLauncher(r, choice);
        CUdeviceptr p = new CUdeviceptr();
        for (int cols : colsList) {
            softmax.forward(p, p, 3, cols);
            softmax.backward(p, p, p, 3, cols);
        }
        return r.launches.stream().map(RecordingRunner.Launch::kernel).toList();
    }

    @Test
    void theLaunchRuleTakesTheFusedKernelFrom1025To8192Columns() {
        String warp = SoftmaxLauncher.FORWARD_WARP, fused = SoftmaxLauncher.FORWARD_FUSED, block = SoftmaxLauncher.FORWARD_BLOCK;
        String backWarp = SoftmaxLauncher.BACKWARD_WARP, backBlock = SoftmaxLauncher.BACKWARD_BLOCK;
        assertEquals(List.of(warp, backWarp, fused, backBlock, fused, backBlock, block, backBlock),
                kernelsLaunched(SoftmaxLauncher.Kernels.AUTO, 1024, 1025, 8192, 8193));
        // fused: the same as the rule (it cannot hold longer rows)
        assertEquals(kernelsLaunched(SoftmaxLauncher.Kernels.AUTO, 1, 1024, 1025, 4096, 8192, 8193, 100_000),
                kernelsLaunched(SoftmaxLauncher.Kernels.FUSED, 1, 1024, 1025, 4096, 8192, 8193, 100_000));
        // block: the block kernel past 1024 columns, as before the fused kernel; the rest unchanged
        assertEquals(List.of(warp, backWarp, block, backBlock, block, backBlock, block, backBlock),
                kernelsLaunched(SoftmaxLauncher.Kernels.BLOCK, 1024, 1025, 8192, 8193));
    }

    @Test
    void theFusedLaunchPassesTheBlockItsRowNeeds() {
        RecordingRunner r = new RecordingRunner();
        CUdeviceptr x = new CUdeviceptr(), y = new CUdeviceptr();
        new SoftmaxLauncher(r).forward(x, y, 8192, 8192);
        RecordingRunner.Launch l = r.only();
        assertEquals(SoftmaxLauncher.MODULE, l.module());
        assertEquals(SoftmaxLauncher.FORWARD_FUSED, l.kernel());
        assertEquals(new LaunchConfig(8192, 1, 1, 256, 1, 1, 0), l.config());
        assertEquals(List.of("x", "y", "rows", "cols"), l.args().args().stream().map(KernelArgs.Arg::name).toList());
        assertEquals(List.<Object>of(x, y, 8192, 8192), l.args().args().stream().map(KernelArgs.Arg::value).toList());
    }

    @Test
    void thePropertyTakesAutoBlockOrFused() {
        assertEquals(SoftmaxLauncher.Kernels.AUTO, SoftmaxLauncher.Kernels.parse(null));
        assertEquals(SoftmaxLauncher.Kernels.AUTO, SoftmaxLauncher.Kernels.parse(" "));
        assertEquals(SoftmaxLauncher.Kernels.AUTO, SoftmaxLauncher.Kernels.parse("auto"));
        assertEquals(SoftmaxLauncher.Kernels.BLOCK, SoftmaxLauncher.Kernels.parse("block"));
        assertEquals(SoftmaxLauncher.Kernels.FUSED, SoftmaxLauncher.Kernels.parse(" Fused "));
        BackendException e = assertThrows(BackendException.class, () -> SoftmaxLauncher.Kernels.parse("warp"));
        assertEquals("tensor.cuda.softmax.kernel: unknown softmax kernel choice 'warp'; use auto, block, fused", e.getMessage());
        assertEquals(SoftmaxLauncher.KERNEL_PROPERTY, CudaBackend.SOFTMAX_KERNEL_PROPERTY);
        assertEquals("tensor.cuda.softmax.kernel", CudaBackend.SOFTMAX_KERNEL_PROPERTY);
    }

    @Test
    void aBadValueFailsTheBackendsCreationBeforeAnyDeviceIsOpened() {
        java.util.Properties p = new java.util.Properties();
        p.setProperty(CudaBackend.SOFTMAX_KERNEL_PROPERTY, "fastest");
        BackendException e = assertThrows(BackendException.class, () -> CudaBackend.open(PtxResources.load(), p, System.err));
        assertEquals("tensor.cuda.softmax.kernel: unknown softmax kernel choice 'fastest'; use auto, block, fused", e.getMessage());
    }
}

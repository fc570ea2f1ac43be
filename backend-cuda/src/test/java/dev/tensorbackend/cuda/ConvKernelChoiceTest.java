package dev.tensorbackend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import dev.tensorbackend.api.BackendException;
import dev.tensorbackend.api.Conv2dGeometry;
import dev.tensorbackend.api.ConvSpec;
import dev.tensorbackend.api.Shape;
import jcuda.driver.CUdeviceptr;
import org.junit.jupiter.api.Test;

/**
 * The convolution launch rule (direct kernels for tiny filters, implicit GEMMs otherwise), the
 * direct kernels' grids and partial sums, and {@code -Dtensor.cuda.conv.kernel}, without a GPU.
 */
class ConvKernelChoiceTest {
    /** The large training network's layer: bench/kernel-lab case train-large. */
    static final Conv2dGeometry TRAIN_LARGE = geometry(Shape.of(32, 1, 1024, 128), Shape.of(1, 1, 2, 2), ConvSpec.of(2, 0));
    static final Conv2dGeometry DOCUMENTED = geometry(Shape.of(1, 1, 4, 4), Shape.of(1, 1, 2, 2), ConvSpec.of(2, 0));
    static final Conv2dGeometry MID = geometry(Shape.of(8, 16, 64, 64), Shape.of(32, 16, 3, 3), ConvSpec.of(1, 1));

    private static Conv2dGeometry geometry(Shape input, Shape filter, ConvSpec spec) {
        return Conv2dGeometry.of("conv2d", input, filter, spec);
    }

    private static List<String> kernelsLaunched(Conv2dLauncher.Kernels choice, Conv2dGeometry g) {
        RecordingRunner r = new RecordingRunner();
        Conv2dLauncher conv = new Conv2dLauncher(r, choice);
        CUdeviceptr p = new CUdeviceptr();
        conv.forward(p, p, p, g);
        conv.backwardInput(p, p, p, g);
        conv.backwardFilter(p, p, p, p, g);
        return r.launches.stream().map(RecordingRunner.Launch::kernel).toList();
    }

    @Test
    void tinyMeansAtMost16FilterValuesPerOutputChannelAndAtMost8OutputChannels() {
        assertTrue(Conv2dLauncher.tinyFilter(TRAIN_LARGE));
        assertTrue(Conv2dLauncher.tinyFilter(DOCUMENTED));
        assertTrue(Conv2dLauncher.tinyFilter(geometry(Shape.of(1, 4, 8, 8), Shape.of(8, 4, 2, 2), ConvSpec.of(1, 0)))); // 16, 8
        assertTrue(Conv2dLauncher.tinyFilter(geometry(Shape.of(1, 1, 8, 8), Shape.of(8, 1, 4, 4), ConvSpec.of(1, 0))));
        assertTrue(Conv2dLauncher.tinyFilter(geometry(Shape.of(1, 16, 8, 8), Shape.of(2, 16, 1, 1), ConvSpec.of(1, 0))));
        assertFalse(Conv2dLauncher.tinyFilter(geometry(Shape.of(1, 1, 8, 8), Shape.of(9, 1, 2, 2), ConvSpec.of(1, 0)))); // k 9
        assertFalse(Conv2dLauncher.tinyFilter(geometry(Shape.of(1, 17, 8, 8), Shape.of(1, 17, 1, 1), ConvSpec.of(1, 0)))); // 17
        assertFalse(Conv2dLauncher.tinyFilter(geometry(Shape.of(1, 2, 8, 8), Shape.of(1, 2, 3, 3), ConvSpec.of(1, 0)))); // 18
        assertFalse(Conv2dLauncher.tinyFilter(MID));
        // no channels: nothing to keep in registers, the direct kernels write the zeros
        assertTrue(Conv2dLauncher.tinyFilter(geometry(Shape.of(1, 0, 4, 4), Shape.of(2, 0, 2, 2), ConvSpec.of(1, 0))));
    }

    @Test
    void theLaunchRuleTakesTheDirectKernelsForTinyFiltersAndTheGemmsOtherwise() {
        assertEquals(List.of(Conv2dLauncher.FORWARD_DIRECT, Conv2dLauncher.BACKWARD_INPUT_DIRECT, Conv2dLauncher.BACKWARD_FILTER_DIRECT,
                Conv2dLauncher.BACKWARD_FILTER_DIRECT_REDUCE), kernelsLaunched(Conv2dLauncher.Kernels.AUTO, TRAIN_LARGE));
        // one chunk: the gradient written directly, no reduction
        assertEquals(List.of(Conv2dLauncher.FORWARD_DIRECT, Conv2dLauncher.BACKWARD_INPUT_DIRECT, Conv2dLauncher.BACKWARD_FILTER_DIRECT),
                kernelsLaunched(Conv2dLauncher.Kernels.AUTO, DOCUMENTED));
        assertEquals(List.of(Conv2dLauncher.FORWARD, Conv2dLauncher.BACKWARD_INPUT, Conv2dLauncher.BACKWARD_FILTER,
                Conv2dLauncher.BACKWARD_FILTER_REDUCE), kernelsLaunched(Conv2dLauncher.Kernels.AUTO, MID));
        // direct: the same as the rule (it cannot take larger filters)
        assertEquals(kernelsLaunched(Conv2dLauncher.Kernels.AUTO, TRAIN_LARGE), kernelsLaunched(Conv2dLauncher.Kernels.DIRECT, TRAIN_LARGE));
        assertEquals(kernelsLaunched(Conv2dLauncher.Kernels.AUTO, MID), kernelsLaunched(Conv2dLauncher.Kernels.DIRECT, MID));
        // gemm: the implicit GEMMs, also for the tiny filter (how it ran before the direct kernels)
        assertEquals(List.of(Conv2dLauncher.FORWARD, Conv2dLauncher.BACKWARD_INPUT, Conv2dLauncher.BACKWARD_FILTER,
                Conv2dLauncher.BACKWARD_FILTER_REDUCE), kernelsLaunched(Conv2dLauncher.Kernels.GEMM, TRAIN_LARGE));
    }

    @Test
    void directGridsAtTheTrainingNetworksLayer() {
        // output [32, 1, 512, 64]: 1,048,576 positions, a thread each
        assertEquals(new LaunchConfig(4096, 1, 1, 256, 1, 1, 0), Conv2dLauncher.forwardDirectConfig(TRAIN_LARGE));
        // input [32, 1, 1024, 128]: 4,194,304 elements, a thread each, 65535 blocks at most (grid-stride)
        assertEquals(new LaunchConfig(16384, 1, 1, 256, 1, 1, 0), Conv2dLauncher.backwardInputDirectConfig(TRAIN_LARGE));
        // 512 chunks of 2048 positions, one output channel
        assertEquals(512, Conv2dLauncher.backwardFilterDirectChunks(TRAIN_LARGE));
        assertEquals(new LaunchConfig(512, 1, 1, 256, 1, 1, 0), Conv2dLauncher.backwardFilterDirectConfig(TRAIN_LARGE));
        assertEquals(new LaunchConfig(4, 1, 1, 256, 1, 1, 0), Conv2dLauncher.backwardFilterDirectReduceConfig(TRAIN_LARGE));
        assertEquals(512L * 4, Conv2dLauncher.backwardFilterDirectScratch(TRAIN_LARGE));
        assertEquals(512L * 4, new Conv2dLauncher(new RecordingRunner()).partialSumFloats(TRAIN_LARGE));
        // forced to the GEMMs, the buffer is the GEMM's split buffer
        assertEquals(Conv2dLauncher.backwardFilterScratch(TRAIN_LARGE),
                new Conv2dLauncher(new RecordingRunner(), Conv2dLauncher.Kernels.GEMM).partialSumFloats(TRAIN_LARGE));
        // the documented layer: one chunk, no buffer
        assertEquals(1, Conv2dLauncher.backwardFilterDirectChunks(DOCUMENTED));
        assertEquals(0, Conv2dLauncher.backwardFilterDirectScratch(DOCUMENTED));
        assertEquals(new LaunchConfig(1, 1, 1, 256, 1, 1, 0), Conv2dLauncher.forwardDirectConfig(DOCUMENTED));
        // an empty batch still writes the (zero) filter gradient: one chunk
        Conv2dGeometry empty = geometry(Shape.of(0, 1, 4, 4), Shape.of(1, 1, 2, 2), ConvSpec.of(2, 0));
        assertEquals(1, Conv2dLauncher.backwardFilterDirectChunks(empty));
        assertEquals(List.of(Conv2dLauncher.BACKWARD_FILTER_DIRECT), kernelsLaunched(Conv2dLauncher.Kernels.AUTO, empty));
        // k = 8 output channels: grid y
        Conv2dGeometry k8 = geometry(Shape.of(3, 1, 100, 100), Shape.of(8, 1, 2, 2), ConvSpec.of(2, 0));
        assertEquals(new LaunchConfig(4, 8, 1, 256, 1, 1, 0), Conv2dLauncher.backwardFilterDirectConfig(k8)); // 7500 positions
    }

    @Test
    void theDirectBackwardFilterPassesItsChunksAndRefusesAMissingBuffer() {
        RecordingRunner r = new RecordingRunner();
        CUdeviceptr p = new CUdeviceptr();
        new Conv2dLauncher(r).backwardFilter(p, p, p, p, TRAIN_LARGE);
        KernelArgs args = r.launches.get(0).args();
        List<KernelArgs.Arg> tail = args.args().subList(args.args().size() - 2, args.args().size());
        assertEquals(List.of("chunkPositions", "chunks"), tail.stream().map(KernelArgs.Arg::name).toList());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Conv2dLauncher(new RecordingRunner()).backwardFilter(p, p, p, null, TRAIN_LARGE));
        assertEquals("conv2d backward-filter in 512 chunks needs a partial buffer of 2048 floats", e.getMessage());
    }

    @Test
    void thePropertyTakesAutoDirectOrGemm() {
        assertEquals(Conv2dLauncher.Kernels.AUTO, Conv2dLauncher.Kernels.parse(null));
        assertEquals(Conv2dLauncher.Kernels.AUTO, Conv2dLauncher.Kernels.parse(" "));
        assertEquals(Conv2dLauncher.Kernels.AUTO, Conv2dLauncher.Kernels.parse("auto"));
        assertEquals(Conv2dLauncher.Kernels.DIRECT, Conv2dLauncher.Kernels.parse("direct"));
        assertEquals(Conv2dLauncher.Kernels.GEMM, Conv2dLauncher.Kernels.parse(" GEMM "));
        BackendException e = assertThrows(BackendException.class, () -> Conv2dLauncher.Kernels.parse("winograd"));
        assertEquals("tensor.cuda.conv.kernel: unknown convolution kernel choice 'winograd'; use auto, direct, gemm", e.getMessage());
        assertEquals(Conv2dLauncher.KERNEL_PROPERTY, CudaBackend.CONV_KERNEL_PROPERTY);
    }
}

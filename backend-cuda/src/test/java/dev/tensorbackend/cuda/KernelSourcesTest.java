package dev.tensorbackend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import dev.tensorbackend.api.ConvSpec;
import dev.tensorbackend.api.Conv2dGeometry;
import dev.tensorbackend.api.MatmulDims;
import dev.tensorbackend.api.Shape;
import dev.tensorbackend.api.check.CrossCheck;
import jcuda.driver.CUdeviceptr;
import org.junit.jupiter.api.Test;

/**
 * The .cu sources against the Java side, without a GPU: one launcher per .cu, every kernel
 * launched by its launcher and every launch naming a kernel that exists, arguments packed in
 * the order, number and C types of the kernel's parameters, tile constants equal on both
 * sides, and every Backend op served by a kernel or a driver copy.
 */
class KernelSourcesTest {

    /** One launch of every kernel, as the launchers make them for ordinary shapes. */
    static List<RecordingRunner.Launch> launchOfEveryKernel() {
        RecordingRunner r = new RecordingRunner();
        CUdeviceptr p = new CUdeviceptr();
        MatmulLauncher matmul = new MatmulLauncher(r);
        matmul.matmul(p, p, p, MatmulDims.of(Shape.of(3, 4), false, Shape.of(4, 5), false));
        matmul.matmul(p, p, p, MatmulDims.of(Shape.of(1024, 64), false, Shape.of(64, 1024), false));
        matmul.matmul(p, p, p, MatmulDims.of(Shape.of(2048, 64), false, Shape.of(64, 2048), false));
        for (MatmulLauncher.Tiling t : MatmulLauncher.ALL) { // each forced, tile128 and warp128x256 among them
            new MatmulLauncher(r, t).matmul(p, p, p, MatmulDims.of(Shape.of(2048, 64), false, Shape.of(64, 2048), false));
        }
        Conv2dGeometry g = Conv2dGeometry.of("conv2d", Shape.of(2, 3, 7, 5), Shape.of(4, 3, 3, 3), ConvSpec.of(1, 1));
        Conv2dLauncher conv = new Conv2dLauncher(r);
        conv.forward(p, p, p, g);
        conv.backwardInput(p, p, p, g);
        conv.backwardFilter(p, p, p, p, g); // one split: written directly
        Conv2dGeometry mid = Conv2dGeometry.of("conv2d", Shape.of(8, 16, 64, 64), Shape.of(32, 16, 3, 3), ConvSpec.of(1, 1));
        conv.backwardFilter(p, p, p, p, mid); // split positions, then the partial sums' reduction
        Conv2dGeometry large = Conv2dGeometry.of("conv2d", Shape.of(32, 64, 56, 56), Shape.of(64, 64, 3, 3), ConvSpec.of(1, 1));
        conv.forward(p, p, p, large); // 64 channels: the _wide kernels
        conv.backwardInput(p, p, p, large);
        conv.backwardFilter(p, p, p, p, large);
        // tiny filters: the _direct kernels; the documented layer in one chunk, the large training
        // network's in 512 chunks and their reduction
        for (Shape input : List.of(Shape.of(1, 1, 4, 4), Shape.of(32, 1, 1024, 128))) {
            Conv2dGeometry tiny = Conv2dGeometry.of("conv2d", input, Shape.of(1, 1, 2, 2), ConvSpec.of(2, 0));
            conv.forward(p, p, p, tiny);
            conv.backwardInput(p, p, p, tiny);
            conv.backwardFilter(p, p, p, p, tiny);
        }
        SoftmaxLauncher softmax = new SoftmaxLauncher(r);
        softmax.forward(p, p, 4, 10);
        softmax.forward(p, p, 4, 5000); // the fused kernel
        softmax.forward(p, p, 4, 9000); // longer than the fused kernel holds: the block kernel
        new SoftmaxLauncher(r, SoftmaxLauncher.Kernels.BLOCK).forward(p, p, 4, 5000);
        softmax.backward(p, p, p, 4, 10);
        softmax.backward(p, p, p, 4, 5000);
        ElementwiseLauncher e = new ElementwiseLauncher(r);
        e.addBias(p, p, p, 2, 3, 4);
        e.sumToAxis(p, p, 2, 3, 4);
        e.relu(p, p, 10);
        e.reluBackward(p, p, p, 10);
        e.add(p, p, p, 10);
        e.mul(p, p, p, 10);
        e.scale(p, p, 2f, 10);
        e.axpy(2f, p, p, 10);
        e.sum(p, p, p, 100_000);
        return r.launches;
    }

    @Test
    void everyCuFileHasALauncherAndAPtxModule() {
        assertEquals(new TreeSet<>(PtxResources.MODULES), CudaSources.modules());
        for (String module : CudaSources.modules()) {
            assertEquals(new TreeSet<>(CudaSources.kernels(module).keySet()), new TreeSet<>(CudaBackend.kernelsOf(module)),
                    "kernels of " + module + ".cu against its launcher's list");
        }
    }

    @Test
    void launchersLaunchEveryKernelWithArgumentsMatchingItsParameters() {
        Set<String> launched = new HashSet<>();
        for (RecordingRunner.Launch l : launchOfEveryKernel()) {
            List<CudaSources.Param> params = CudaSources.kernels(l.module()).get(l.kernel());
            assertTrue(params != null, l.module() + ".cu has no kernel " + l.kernel());
            List<KernelArgs.Arg> args = l.args().args();
            assertEquals(params.size(), args.size(), l.kernel() + ": argument count");
            for (int i = 0; i < params.size(); i++) {
                assertEquals(params.get(i).name(), args.get(i).name(), l.kernel() + " argument " + i);
                assertEquals(params.get(i).type(), args.get(i).type(), l.kernel() + " argument " + args.get(i).name());
            }
            launched.add(l.module() + ":" + l.kernel());
        }
        Set<String> all = new TreeSet<>();
        for (String module : CudaSources.modules()) {
            CudaSources.kernels(module).keySet().forEach(k -> all.add(module + ":" + k));
        }
        assertEquals(all, new TreeSet<>(launched), "kernels never launched");
    }

    @Test
    void kernelParamsCanBeBuiltWithoutADevice() {
        for (RecordingRunner.Launch l : launchOfEveryKernel()) {
            assertTrue(l.args().toKernelParams() != null);
        }
    }

    @Test
    void tileConstantsAgreeWithMatmulCu() {
        String code = CudaSources.code("matmul");
        for (MatmulLauncher.Tiling t : MatmulLauncher.TILINGS) {
            assertEquals("matmul_tile" + t.tile(), t.kernel());
            assertEquals(t.tile(), CudaSources.define("matmul", "TILE" + t.tile()), t.kernel());
            assertEquals(t.threads(), CudaSources.define("matmul", "THREADS" + t.tile()), t.kernel());
            // the launch bounds name the block size the launcher uses
            assertTrue(code.contains("__launch_bounds__(THREADS" + t.tile()) && code.contains(")\n" + t.kernel() + "("),
                    t.kernel() + "'s launch bounds");
        }
        // results per thread: 8 x 8, 8 x 4 and 4 x 4, as matmul.cu instantiates them
        assertEquals(List.of(64, 32, 16), MatmulLauncher.TILINGS.stream().map(t -> t.tile() * t.tile() / t.threads()).toList());
        assertTrue(code.contains("__launch_bounds__(THREADS128, 2)\nmatmul_tile128("), "two 128 x 128 blocks per multiprocessor");
    }

    @Test
    void warpTiledVariantsAgreeWithMatmulCu() {
        String code = CudaSources.code("matmul");
        for (MatmulLauncher.Tiling t : MatmulLauncher.VARIANTS) {
            assertEquals(CudaSources.define("matmul", "WT_THREADS"), t.threads(), t.kernel());
        }
        assertEquals(List.of(CudaSources.define("matmul", "WT128_TILE"), CudaSources.define("matmul", "WT128_TILE"),
                CudaSources.define("matmul", "WT128K16_TILE"), CudaSources.define("matmul", "WT128K16_TILE"),
                CudaSources.define("matmul", "WT128X256_TILE_M"), CudaSources.define("matmul", "WT128X256_TILE_N")),
                MatmulLauncher.VARIANTS.stream().flatMap(t -> java.util.stream.Stream.of(t.tileM(), t.tileN())).toList());
        // two blocks per multiprocessor for warp128 (128 registers), one for the others
        assertTrue(code.contains("__launch_bounds__(WT_THREADS, 2)\nmatmul_warp128("), "warp128's launch bounds");
        assertTrue(code.contains("__launch_bounds__(WT_THREADS, 1)\nmatmul_warp128k16("), "warp128k16's launch bounds");
        assertTrue(code.contains("__launch_bounds__(WT_THREADS, 1)\nmatmul_warp128x256("), "warp128x256's launch bounds");
        // the launch rule never picks a variant
        for (MatmulLauncher.Tiling t : MatmulLauncher.VARIANTS) {
            assertTrue(!MatmulLauncher.TILINGS.contains(t), t.kernel());
        }
    }

    @Test
    void tileConstantsAgreeWithConv2dCu() {
        assertEquals(Conv2dLauncher.TILE_M, CudaSources.define("conv2d", "CONV_TILE_M"));
        assertEquals(Conv2dLauncher.TILE_M_WIDE, CudaSources.define("conv2d", "CONV_TILE_M_WIDE"));
        assertEquals(Conv2dLauncher.TILE_N, CudaSources.define("conv2d", "CONV_TILE_N"));
        assertEquals(Conv2dLauncher.TILE_K, CudaSources.define("conv2d", "CONV_TILE_K"));
        assertEquals(Conv2dLauncher.THREADS, CudaSources.define("conv2d", "CONV_THREADS"));
        // each thread's 8 rows x (tile rows / 8) columns cover the tile exactly (8 x 4 and 8 x 8;
        // conv2d.cu's static_asserts check the same), and the staging loops give every thread
        // the same number of values
        int rows = CudaSources.define("conv2d", "CONV_ROWS_PER_THREAD");
        for (int tileM : new int[] {Conv2dLauncher.TILE_M, Conv2dLauncher.TILE_M_WIDE}) {
            int cols = 4 * (tileM / 32);
            assertEquals(tileM * Conv2dLauncher.TILE_N, Conv2dLauncher.THREADS * rows * cols);
            assertEquals(0, tileM * Conv2dLauncher.TILE_K % Conv2dLauncher.THREADS);
            assertEquals(0, Conv2dLauncher.THREADS % tileM, "backward-input stages a column of A per thread");
        }
        assertEquals(Conv2dLauncher.TILE_N, Conv2dLauncher.THREADS, "forward and backward-input stage one column per thread");
        assertEquals(0, Conv2dLauncher.THREADS % Conv2dLauncher.TILE_K);
    }

    @Test
    void directConvConstantsAgreeWithConv2dCu() {
        assertEquals(Conv2dLauncher.DIRECT_MAX_TAPS, CudaSources.define("conv2d", "CONV_DIRECT_MAX_TAPS"));
        assertEquals(Conv2dLauncher.DIRECT_MAX_K, CudaSources.define("conv2d", "CONV_DIRECT_MAX_K"));
        assertEquals(Conv2dLauncher.DIRECT_THREADS, CudaSources.define("conv2d", "CONV_DIRECT_THREADS"));
        assertEquals(Conv2dLauncher.DIRECT_CHUNK,
                CudaSources.define("conv2d", "CONV_DIRECT_THREADS") * CudaSources.define("conv2d", "CONV_DIRECT_POSITIONS_PER_THREAD"));
        // the launch bounds name the block size the launcher uses (mock driver and GPU refuse larger blocks)
        String code = CudaSources.code("conv2d");
        for (String kernel : List.of(Conv2dLauncher.FORWARD_DIRECT, Conv2dLauncher.BACKWARD_FILTER_DIRECT)) {
            assertTrue(code.contains("__launch_bounds__(CONV_DIRECT_THREADS, CONV_DIRECT_MIN_BLOCKS)\n" + kernel + "("), kernel);
        }
        for (String kernel : List.of(Conv2dLauncher.BACKWARD_INPUT_DIRECT, Conv2dLauncher.BACKWARD_FILTER_DIRECT_REDUCE)) {
            assertTrue(code.contains("__launch_bounds__(CONV_DIRECT_THREADS)\n" + kernel + "("), kernel);
        }
        // the shared filter copy holds the largest filter the rule takes
        assertTrue(code.contains("__shared__ float fs[CONV_DIRECT_MAX_K * CONV_DIRECT_MAX_TAPS];"));
    }

    @Test
    void fusedSoftmaxConstantsAgreeWithSoftmaxCu() {
        assertEquals(SoftmaxLauncher.FUSED_VALUES, CudaSources.define("softmax", "SOFTMAX_FUSED_VALUES"));
        assertEquals(SoftmaxLauncher.FUSED_MAX_THREADS, CudaSources.define("softmax", "SOFTMAX_FUSED_THREADS"));
        // four blocks of the largest size per multiprocessor: at most 64 registers (KernelRegisterSpillTest)
        assertEquals(4, CudaSources.define("softmax", "SOFTMAX_FUSED_MIN_BLOCKS"));
        String code = CudaSources.code("softmax");
        assertTrue(code.contains("__launch_bounds__(SOFTMAX_FUSED_THREADS, SOFTMAX_FUSED_MIN_BLOCKS)\n"
                + SoftmaxLauncher.FORWARD_FUSED + "("), "the fused kernel's launch bounds");
        // the block kernel keeps the same number of values, so both hold rows up to 8192 in registers
        assertEquals(SoftmaxLauncher.FUSED_VALUES, CudaSources.define("softmax", "SOFTMAX_BLOCK_VALUES"));
    }

    @Test
    void everyBackendOpIsServedByExistingKernels() {
        Set<String> ops = new TreeSet<>();
        for (String key : CrossCheck.backendMethods()) {
            ops.add(key.substring(0, key.indexOf('/')));
        }
        ops.removeAll(Set.of("name", "close"));
        assertEquals(ops, new TreeSet<>(CudaBackend.KERNELS_BY_OP.keySet()));
        for (Map.Entry<String, List<String>> e : CudaBackend.KERNELS_BY_OP.entrySet()) {
            for (String kernel : e.getValue()) {
                String[] parts = kernel.split(":");
                assertTrue(CudaSources.kernels(parts[0]).containsKey(parts[1]), e.getKey() + " names missing " + kernel);
            }
        }
    }

    @Test
    void reductionKernelsNeverUseAtomics() {
        for (String module : CudaSources.modules()) {
            String code = CudaSources.code(module);
            assertTrue(!java.util.regex.Pattern.compile("atomic\\w*\\s*\\(").matcher(code).find(),
                    module + ".cu calls an atomic: results could vary from run to run");
        }
    }
}

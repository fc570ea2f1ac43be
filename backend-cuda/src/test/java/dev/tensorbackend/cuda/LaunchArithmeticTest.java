package dev.tensorbackend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import dev.tensorbackend.api.Conv2dGeometry;
import dev.tensorbackend.api.ConvSpec;
import dev.tensorbackend.api.MatmulDims;
import dev.tensorbackend.api.Shape;
import jcuda.driver.CUdeviceptr;
import org.junit.jupiter.api.Test;

/** Grid sizes the launchers choose, at odd shapes, tile edges, empty shapes and CUDA's grid limits. */
class LaunchArithmeticTest {
    private final CUdeviceptr p = new CUdeviceptr();

    /**
     * How often a kernel's grid-stride loop {@code for (i = blockIdx; i < items; i += grid)}
     * visits each item; every item must be visited exactly once.
     */
    private static void assertStrideLoopCoversOnce(long items, long grid) {
        if (items > 10_000_000) {
            // by arithmetic: block b visits b, b + grid, ...; the blocks 0..grid-1 start below items
            assertTrue(grid <= items && grid >= 1);
            return;
        }
        int[] visits = new int[(int) items];
        for (long block = 0; block < grid; block++) {
            for (long i = block; i < items; i += grid) {
                visits[(int) i]++;
            }
        }
        for (int i = 0; i < items; i++) {
            assertEquals(1, visits[i], "item " + i + " of " + items + " with grid " + grid);
        }
    }

    private static MatmulDims dims(int batch, int m, int k, int n) {
        return batch == 0 ? MatmulDims.of(Shape.of(m, k), false, Shape.of(k, n), false)
                : MatmulDims.of(Shape.of(batch, m, k), false, Shape.of(batch, k, n), false);
    }

    /**
     * The (batch entry, tile row) pairs matmul.cu's blocks visit: pair number
     * {@code z * gridDim.y + y}, then every {@code gridDim.y * gridDim.z}-th; each must come once.
     */
    private static void assertMatmulWalkCoversOnce(MatmulDims d, LaunchConfig cfg, int tile) {
        long items = d.batch() * LaunchConfig.ceilDiv(d.m(), tile);
        int[] visits = new int[(int) items];
        long step = (long) cfg.gridY() * cfg.gridZ();
        for (long z = 0; z < cfg.gridZ(); z++) {
            for (long y = 0; y < cfg.gridY(); y++) {
                for (long item = z * cfg.gridY() + y; item < items; item += step) {
                    visits[(int) item]++;
                }
            }
        }
        for (int i = 0; i < items; i++) {
            assertEquals(1, visits[i], "pair " + i + " of " + items + " under " + cfg);
        }
    }

    @Test
    void matmulGridCoversEveryTileOfC() {
        int[][] cases = { // batch (0: unbatched), m, k, n, expected tile, grid x, y, z
                {0, 1, 1, 1, 32, 1, 1, 1}, {0, 64, 7, 64, 32, 2, 2, 1}, {0, 65, 7, 64, 32, 2, 3, 1}, {0, 64, 7, 65, 32, 3, 2, 1},
                {0, 1031, 5, 3, 32, 1, 33, 1}, {0, 3, 1031, 5, 32, 1, 1, 1}, {0, 2, 3, 1029, 32, 33, 1, 1},
                {5, 33, 17, 65, 32, 3, 2, 5}, {0, 512, 512, 512, 32, 16, 16, 1},
                {0, 1024, 1024, 1024, 64, 16, 16, 1}, {0, 768, 5, 768, 64, 12, 12, 1}, {0, 1031, 5, 1029, 64, 17, 17, 1},
                {0, 2048, 64, 2048, 128, 16, 16, 1}, {0, 1536, 3, 1408, 128, 11, 12, 1}, {0, 1537, 3, 1409, 128, 12, 13, 1},
                {132, 100, 64, 5, 128, 1, 1, 132}, {3, 129, 5, 7000, 128, 55, 2, 3}};
        for (int[] c : cases) {
            String what = java.util.Arrays.toString(c);
            MatmulDims d = dims(c[0], c[1], c[2], c[3]);
            MatmulLauncher.Tiling t = MatmulLauncher.tiling(d);
            assertEquals(c[4], t.tile(), what);
            // the kernel is the tile's (tile128's tier runs a warp-tiled kernel of the same tile)
            assertEquals(c[4], MatmulLauncher.tiling(MatmulLauncher.kernel(d)).tileM(), what);
            LaunchConfig cfg = MatmulLauncher.config(d);
            assertEquals(new LaunchConfig(c[5], c[6], c[7], t.threads(), 1, 1, 0), cfg, what);
            // x tiles reach the last column, y tiles the last row
            assertTrue((long) cfg.gridX() * t.tile() >= c[3]);
            assertTrue((long) (cfg.gridX() - 1) * t.tile() < c[3]);
            assertMatmulWalkCoversOnce(d, cfg, t.tile());
        }
        assertEquals(List.of(256, 128, 64), MatmulLauncher.TILINGS.stream().map(MatmulLauncher.Tiling::threads).toList());
    }

    @Test
    void matmulTakesTheLargestTileThatGivesEveryMultiprocessorABlock() {
        assertEquals(132, MatmulLauncher.MIN_BLOCKS);
        // 12 x 11 tiles of 128 x 128: 132 blocks; 12 x 10: 120, so 64 x 64 (24 x 20)
        assertEquals(MatmulLauncher.WARP128, MatmulLauncher.kernel(dims(0, 1536, 8, 1408)));
        assertEquals(MatmulLauncher.TILE64, MatmulLauncher.kernel(dims(0, 1536, 8, 1280)));
        assertEquals(MatmulLauncher.TILE64, MatmulLauncher.kernel(dims(131, 128, 8, 128)));
        assertEquals(MatmulLauncher.WARP128, MatmulLauncher.kernel(dims(132, 128, 8, 128)));
        // 12 x 11 tiles of 64 x 64 against 11 x 11
        assertEquals(MatmulLauncher.TILE64, MatmulLauncher.kernel(dims(0, 768, 8, 704)));
        assertEquals(MatmulLauncher.TILE32, MatmulLauncher.kernel(dims(0, 704, 8, 704)));
        // whatever the shape, below 132 blocks of 32 x 32 the smallest tile still gives the most blocks
        assertEquals(MatmulLauncher.TILE32, MatmulLauncher.kernel(dims(0, 1, 8, 1)));
        assertEquals(MatmulLauncher.TILE32, MatmulLauncher.kernel(dims(0, 100, 8, 100)));
        // K plays no part; skinny products stay on small tiles until they make enough tiles
        assertEquals(MatmulLauncher.TILE64, MatmulLauncher.kernel(dims(0, 1024, 100_000, 1024)));
        assertEquals(MatmulLauncher.TILE32, MatmulLauncher.kernel(dims(0, 4000, 8, 32)));
        assertEquals(MatmulLauncher.TILE64, MatmulLauncher.kernel(dims(0, 16_000, 8, 128)));
        assertEquals(MatmulLauncher.WARP128, MatmulLauncher.kernel(dims(0, 17_000, 8, 128)));
        // attention-like: batch x heads entries, the key operand transposed
        MatmulDims scores = MatmulDims.of(Shape.of(64, 128, 64), false, Shape.of(64, 128, 64), true);
        assertEquals(MatmulLauncher.TILE64, MatmulLauncher.kernel(scores));
        MatmulDims bigScores = MatmulDims.of(Shape.of(192, 256, 64), false, Shape.of(192, 256, 64), true);
        assertEquals(MatmulLauncher.WARP128, MatmulLauncher.kernel(bigScores), "K = 64: the 8-deep warp kernel");
        // the 128 x 128 tier: the warp kernel with 16-deep K steps once K reaches 256
        assertEquals(MatmulLauncher.WARP128_K16, MatmulLauncher.kernel(dims(0, 4096, 4096, 4096)));
        assertEquals(MatmulLauncher.WARP128_K16, MatmulLauncher.kernel(dims(0, 1536, 256, 1408)));
        assertEquals(MatmulLauncher.WARP128, MatmulLauncher.kernel(dims(0, 1536, 255, 1408)));
        assertEquals(MatmulLauncher.TILE64, MatmulLauncher.kernel(dims(0, 1024, 4096, 1024)), "64 tiles of 128: too few");
        assertThrows(IllegalArgumentException.class, () -> MatmulLauncher.config(dims(0, 1, 1, 1), "matmul_tiled"));
    }

    @Test
    void matmulBeyondTheGridLimitsLoopsOverRowsAndBatch() {
        int m = 64 * 65_535 + 1; // one tile row more than gridDim.y can hold
        MatmulDims tall = MatmulDims.of(Shape.of(m, 1), false, Shape.of(1, 1), false);
        LaunchConfig cfg = MatmulLauncher.config(tall, MatmulLauncher.TILE64);
        assertEquals(65_535, cfg.gridY());
        assertMatmulWalkCoversOnce(tall, cfg, 64);
        MatmulDims manyBatches = MatmulDims.of(Shape.of(70_000, 1, 1), false, Shape.of(1, 1), false);
        LaunchConfig batched = MatmulLauncher.config(manyBatches);
        assertEquals(MatmulLauncher.WARP128, MatmulLauncher.kernel(manyBatches));
        assertEquals(65_535, batched.gridZ());
        assertMatmulWalkCoversOnce(manyBatches, batched, 128);
        // both limits at once: 2 tile rows per entry, 70000 entries
        MatmulDims both = MatmulDims.of(Shape.of(70_000, 200, 1), false, Shape.of(1, 1), false);
        LaunchConfig bothCfg = MatmulLauncher.config(both, MatmulLauncher.TILE128);
        assertEquals(new LaunchConfig(1, 2, 65_535, 256, 1, 1, 0), bothCfg);
        assertMatmulWalkCoversOnce(both, bothCfg, 128);
    }

    @Test
    void aWeightGradientIsSplitIntoSlicesOfKAndNothingElseIs() {
        // the large training step's X^T dP: [16384, 64]^T x [16384, 64], 4 tiles of 32 x 32
        MatmulDims grad = MatmulDims.of(Shape.of(16384, 64), true, Shape.of(16384, 64), false);
        assertEquals(64, MatmulLauncher.kSlices(grad), "4 tiles x 64 slices = 256 blocks, slices of 256");
        MatmulDims parts = MatmulLauncher.sliced(grad, 64);
        assertEquals(new MatmulDims(64, 64, 64, 256, true, false, 256 * 64, 256 * 64, Shape.of(64, 64, 64)), parts);
        assertEquals(MatmulLauncher.TILE32, MatmulLauncher.kernel(parts));
        // slices of at least MIN_SLICE_K, equal, a power of two: K = 4096 -> 16 slices of 256 (the length bound);
        // K = 4100 = 4 x 1025 -> 4 slices (the divisibility bound)
        assertEquals(16, MatmulLauncher.kSlices(MatmulDims.of(Shape.of(4096, 8), true, Shape.of(4096, 8), false)));
        assertEquals(4, MatmulLauncher.kSlices(MatmulDims.of(Shape.of(4100, 8), true, Shape.of(4100, 8), false)));
        assertEquals(1, MatmulLauncher.kSlices(MatmulDims.of(Shape.of(4097, 8), true, Shape.of(4097, 8), false)), "odd K");
        assertEquals(1, MatmulLauncher.kSlices(MatmulDims.of(Shape.of(511, 8), true, Shape.of(511, 8), false)));
        // other layouts are not split: K slices would not be contiguous, or there is a batch, or blocks enough
        assertEquals(1, MatmulLauncher.kSlices(MatmulDims.of(Shape.of(64, 16384), false, Shape.of(16384, 64), false)));
        assertEquals(1, MatmulLauncher.kSlices(MatmulDims.of(Shape.of(16384, 64), true, Shape.of(64, 16384), true)));
        assertEquals(1, MatmulLauncher.kSlices(MatmulDims.of(Shape.of(2, 4096, 8), true, Shape.of(2, 4096, 8), false)));
        assertEquals(1, MatmulLauncher.kSlices(MatmulDims.of(Shape.of(4096, 512), true, Shape.of(4096, 512), false)),
                "256 tiles of 32 x 32 keep every multiprocessor busy");
    }

    @Test
    void matmulSkipsEmptyResultsButNotAnEmptyInnerDimension() {
        RecordingRunner r = new RecordingRunner();
        MatmulLauncher launcher = new MatmulLauncher(r);
        launcher.matmul(p, p, p, dims(0, 0, 3, 4));
        launcher.matmul(p, p, p, dims(0, 3, 4, 0));
        launcher.matmul(p, p, p, dims(0, 0, 0, 0));
        assertEquals(0, r.launches.size());
        launcher.matmul(p, p, p, dims(0, 3, 0, 4)); // C = zeros: the kernel writes them
        assertEquals(MatmulLauncher.TILE32, r.only().kernel());
        assertEquals(new LaunchConfig(1, 1, 1, 64, 1, 1, 0), r.only().config());
    }

    @Test
    void matmulPacksBatchStridesAndFlags() {
        RecordingRunner r = new RecordingRunner();
        // a shared by all 3 batch entries (stride 0), b transposed and batched
        new MatmulLauncher(r).matmul(p, p, p, MatmulDims.of(Shape.of(5, 7), true, Shape.of(3, 4, 5), true));
        KernelArgs a = r.only().args();
        assertEquals(3, a.value("batch"));
        assertEquals(7, a.value("M"));
        assertEquals(5, a.value("K"));
        assertEquals(4, a.value("N"));
        assertEquals(1, a.value("transA"));
        assertEquals(1, a.value("transB"));
        assertEquals(0, a.value("aBatchStride"));
        assertEquals(20, a.value("bBatchStride"));
    }

    @Test
    void convGridsCoverTheirTiles() {
        Conv2dGeometry g = Conv2dGeometry.of("conv2d", Shape.of(3, 5, 13, 13), Shape.of(6, 5, 5, 5), new ConvSpec(2, 2, 2, 2));
        assertEquals(7, g.outH());
        // forward: columns n outH outW = 147 -> 2 tiles of 128; rows k = 6 -> 1 tile of 32
        assertEquals(new LaunchConfig(2, 1, 1, 128, 1, 1, 0), Conv2dLauncher.forwardConfig(g));
        // backward-input: columns n h w = 507 -> 4; rows c = 5 -> 1
        assertEquals(new LaunchConfig(4, 1, 1, 128, 1, 1, 0), Conv2dLauncher.backwardInputConfig(g));
        // backward-filter: columns c r s = 125 -> 1; rows 1; 147 positions are too few to split
        assertEquals(new Conv2dLauncher.FilterSplit(1, 160), Conv2dLauncher.backwardFilterSplit(g));
        assertEquals(new LaunchConfig(1, 1, 1, 128, 1, 1, 0), Conv2dLauncher.backwardFilterConfig(g));
        assertEquals(0, Conv2dLauncher.backwardFilterScratch(g));

        Conv2dGeometry one = Conv2dGeometry.of("conv2d", Shape.of(1, 1, 1, 1), Shape.of(1, 1, 1, 1), ConvSpec.of(1, 0));
        assertEquals(new LaunchConfig(1, 1, 1, 128, 1, 1, 0), Conv2dLauncher.forwardConfig(one));
        assertEquals(new LaunchConfig(1, 1, 1, 128, 1, 1, 0), Conv2dLauncher.backwardFilterConfig(one));

        // tile edges: 33 channels take a second row tile, 129 columns a second column tile
        Conv2dGeometry edge = Conv2dGeometry.of("conv2d", Shape.of(1, 33, 1, 129), Shape.of(33, 33, 1, 1), ConvSpec.of(1, 0));
        assertEquals(new LaunchConfig(2, 2, 1, 128, 1, 1, 0), Conv2dLauncher.forwardConfig(edge));
        assertEquals(new LaunchConfig(2, 2, 1, 128, 1, 1, 0), Conv2dLauncher.backwardInputConfig(edge));
        Conv2dGeometry exact = Conv2dGeometry.of("conv2d", Shape.of(1, 32, 1, 128), Shape.of(32, 32, 1, 1), ConvSpec.of(1, 0));
        assertEquals(new LaunchConfig(1, 1, 1, 128, 1, 1, 0), Conv2dLauncher.forwardConfig(exact));

        // more channels than gridDim.y can hold: the kernels' row-tile loops take the rest
        Conv2dGeometry wide = Conv2dGeometry.of("conv2d", Shape.of(1, 1, 1, 1), Shape.of(64 * 65_535 + 1, 1, 1, 1), ConvSpec.of(1, 0));
        assertEquals(Conv2dLauncher.FORWARD_WIDE, Conv2dLauncher.forwardKernel(wide)); // 65536 blocks of 64 rows
        LaunchConfig cfg = Conv2dLauncher.forwardConfig(wide);
        assertEquals(65_535, cfg.gridY());
        assertStrideLoopCoversOnce(65_536, cfg.gridY());
    }

    @Test
    void convTakesTheWideTileForManyChannelsWhenTheBlocksStillFillTheCard() {
        RecordingRunner r = new RecordingRunner();
        Conv2dLauncher conv = new Conv2dLauncher(r);
        // mid: 16 -> 32 channels, every pass on 32-row tiles
        Conv2dGeometry mid = Conv2dGeometry.of("conv2d", Shape.of(8, 16, 64, 64), Shape.of(32, 16, 3, 3), ConvSpec.of(1, 1));
        conv.forward(p, p, p, mid);
        conv.backwardInput(p, p, p, mid);
        conv.backwardFilter(p, p, p, p, mid);
        assertEquals(java.util.List.of(Conv2dLauncher.FORWARD, Conv2dLauncher.BACKWARD_INPUT, Conv2dLauncher.BACKWARD_FILTER,
                Conv2dLauncher.BACKWARD_FILTER_REDUCE), r.launches.stream().map(RecordingRunner.Launch::kernel).toList());
        assertEquals(new LaunchConfig(256, 1, 1, 128, 1, 1, 0), Conv2dLauncher.forwardConfig(mid));
        assertEquals(new LaunchConfig(256, 1, 1, 128, 1, 1, 0), Conv2dLauncher.backwardInputConfig(mid));
        // large: 64 -> 64 channels, 64-row tiles: 784 column tiles, one row tile
        r.launches.clear();
        Conv2dGeometry large = Conv2dGeometry.of("conv2d", Shape.of(32, 64, 56, 56), Shape.of(64, 64, 3, 3), ConvSpec.of(1, 1));
        conv.forward(p, p, p, large);
        conv.backwardInput(p, p, p, large);
        conv.backwardFilter(p, p, p, p, large);
        assertEquals(java.util.List.of(Conv2dLauncher.FORWARD_WIDE, Conv2dLauncher.BACKWARD_INPUT_WIDE,
                Conv2dLauncher.BACKWARD_FILTER_WIDE, Conv2dLauncher.BACKWARD_FILTER_REDUCE),
                r.launches.stream().map(RecordingRunner.Launch::kernel).toList());
        assertEquals(new LaunchConfig(784, 1, 1, 128, 1, 1, 0), Conv2dLauncher.forwardConfig(large));
        assertEquals(new LaunchConfig(784, 1, 1, 128, 1, 1, 0), Conv2dLauncher.backwardInputConfig(large));
        // more than 32 rows but too few columns for 264 wide blocks: the 32-row tiles, twice the blocks
        assertEquals(Conv2dLauncher.TILE_M, Conv2dLauncher.tileRows(33, 128L * 263));
        assertEquals(Conv2dLauncher.TILE_M_WIDE, Conv2dLauncher.tileRows(33, 128L * 264));
        assertEquals(Conv2dLauncher.TILE_M_WIDE, Conv2dLauncher.tileRows(65, 128L * 132)); // 2 row tiles x 132
        assertEquals(Conv2dLauncher.TILE_M, Conv2dLauncher.tileRows(32, Integer.MAX_VALUE));
        // the 64-row grid covers the rows: 65 channels, 2 row tiles
        Conv2dGeometry rows65 = Conv2dGeometry.of("conv2d", Shape.of(4, 3, 96, 96), Shape.of(65, 3, 3, 3), ConvSpec.of(1, 1));
        assertEquals(Conv2dLauncher.FORWARD_WIDE, Conv2dLauncher.forwardKernel(rows65));
        assertEquals(new LaunchConfig(288, 2, 1, 128, 1, 1, 0), Conv2dLauncher.forwardConfig(rows65));
        assertEquals(Conv2dLauncher.BACKWARD_FILTER_WIDE, Conv2dLauncher.backwardFilterKernel(rows65));
        assertEquals(2, Conv2dLauncher.backwardFilterConfig(rows65).gridY());
    }

    @Test
    void backwardFilterSplitsLongReductionsIntoWholeStepsAndCoversEveryPosition() {
        // mid: 32 x 144 gradient in 1 x 2 tiles, 32768 positions: 128 splits of 256 (16 steps each)
        Conv2dGeometry mid = Conv2dGeometry.of("conv2d", Shape.of(8, 16, 64, 64), Shape.of(32, 16, 3, 3), ConvSpec.of(1, 1));
        assertEquals(new Conv2dLauncher.FilterSplit(128, 256), Conv2dLauncher.backwardFilterSplit(mid));
        assertEquals(new LaunchConfig(2, 1, 128, 128, 1, 1, 0), Conv2dLauncher.backwardFilterConfig(mid));
        assertEquals(128L * 32 * 16 * 9, Conv2dLauncher.backwardFilterScratch(mid));
        // large: 64 x 576 in 1 x 5 tiles of 64 rows, 100352 positions: about 512 blocks
        Conv2dGeometry large = Conv2dGeometry.of("conv2d", Shape.of(32, 64, 56, 56), Shape.of(64, 64, 3, 3), ConvSpec.of(1, 1));
        assertEquals(new Conv2dLauncher.FilterSplit(103, 976), Conv2dLauncher.backwardFilterSplit(large));
        assertEquals(new LaunchConfig(5, 1, 103, 128, 1, 1, 0), Conv2dLauncher.backwardFilterConfig(large));

        Shape[][] shapes = {
                {Shape.of(8, 16, 64, 64), Shape.of(32, 16, 3, 3)}, {Shape.of(32, 64, 56, 56), Shape.of(64, 64, 3, 3)},
                {Shape.of(2, 2, 16, 16), Shape.of(3, 2, 3, 3)}, {Shape.of(3, 1, 7, 5), Shape.of(1, 1, 2, 2)},
                {Shape.of(1, 512, 7, 7), Shape.of(512, 512, 3, 3)}, {Shape.of(64, 3, 224, 224), Shape.of(64, 3, 7, 7)},
                {Shape.of(5, 7, 33, 17), Shape.of(9, 7, 1, 1)}, {Shape.of(0, 2, 5, 5), Shape.of(3, 2, 3, 3)}};
        for (Shape[] s : shapes) {
            Conv2dGeometry g = Conv2dGeometry.of("conv2d", s[0], s[1], ConvSpec.of(1, 1));
            Conv2dLauncher.FilterSplit sp = Conv2dLauncher.backwardFilterSplit(g);
            long positions = (long) g.n() * g.outH() * g.outW();
            String what = s[0] + " * " + s[1] + ": " + sp;
            assertEquals(0, sp.positions() % Conv2dLauncher.TILE_K, what);
            assertTrue(sp.splits() >= 1 && sp.positions() >= Conv2dLauncher.TILE_K, what);
            // every position in exactly one split, and no split empty
            assertTrue((long) sp.splits() * sp.positions() >= positions, what);
            assertTrue(sp.splits() == 1 || (long) (sp.splits() - 1) * sp.positions() < positions, what);
            assertTrue(sp.splits() == 1 || sp.positions() >= Conv2dLauncher.FILTER_MIN_SPLIT_POSITIONS, what);
            LaunchConfig cfg = Conv2dLauncher.backwardFilterConfig(g);
            assertEquals(sp.splits(), cfg.gridZ(), what);
            assertTrue(cfg.blocks() <= Math.max(2L * Conv2dLauncher.FILTER_TARGET_BLOCKS, (long) cfg.gridX() * cfg.gridY()), what);
            assertEquals(sp.splits() > 1 ? sp.splits() * Conv2dLauncher.filterElements(g) : 0,
                    Conv2dLauncher.backwardFilterScratch(g), what);
        }
    }

    @Test
    void backwardFilterLaunchesTheReductionOnlyWhenItSplits() {
        RecordingRunner r = new RecordingRunner();
        Conv2dLauncher conv = new Conv2dLauncher(r);
        CUdeviceptr in = new CUdeviceptr(), gradOut = new CUdeviceptr(), gradF = new CUdeviceptr(), partials = new CUdeviceptr();
        Conv2dGeometry small = Conv2dGeometry.of("conv2d", Shape.of(2, 3, 7, 5), Shape.of(4, 3, 3, 3), ConvSpec.of(1, 1));
        conv.backwardFilter(in, gradOut, gradF, null, small);
        assertTrue(r.only().args().value("result") == gradF, "one split writes the gradient itself");
        assertEquals(1, r.only().args().value("splits"));

        RecordingRunner r2 = new RecordingRunner();
        Conv2dGeometry mid = Conv2dGeometry.of("conv2d", Shape.of(8, 16, 64, 64), Shape.of(32, 16, 3, 3), ConvSpec.of(1, 1));
        new Conv2dLauncher(r2).backwardFilter(in, gradOut, gradF, partials, mid);
        assertEquals(2, r2.launches.size());
        RecordingRunner.Launch split = r2.launches.get(0), reduce = r2.launches.get(1);
        assertEquals(Conv2dLauncher.BACKWARD_FILTER, split.kernel());
        assertTrue(split.args().value("result") == partials);
        assertEquals(256, split.args().value("splitPositions"));
        assertEquals(128, split.args().value("splits"));
        assertEquals(Conv2dLauncher.BACKWARD_FILTER_REDUCE, reduce.kernel());
        assertTrue(reduce.args().value("partials") == partials && reduce.args().value("gradF") == gradF);
        assertEquals(32 * 16 * 9, reduce.args().value("elements"));
        assertEquals(128, reduce.args().value("splits"));
        assertEquals(LaunchConfig.linear(32 * 16 * 9, 256), reduce.config());
        assertThrows(IllegalArgumentException.class, () -> new Conv2dLauncher(new RecordingRunner())
                .backwardFilter(in, gradOut, gradF, null, mid), "a split without its partial buffer");
    }

    @Test
    void convSkipsEmptyResultsOnly() {
        RecordingRunner r = new RecordingRunner();
        Conv2dLauncher conv = new Conv2dLauncher(r);
        Conv2dGeometry noBatch = Conv2dGeometry.of("conv2d", Shape.of(0, 2, 5, 5), Shape.of(3, 2, 3, 3), ConvSpec.of(1, 0));
        conv.forward(p, p, p, noBatch);
        conv.backwardInput(p, p, p, noBatch);
        assertEquals(0, r.launches.size());
        conv.backwardFilter(p, p, p, null, noBatch); // the filter gradient of an empty batch is zeros, still written
        assertEquals(Conv2dLauncher.BACKWARD_FILTER, r.only().kernel());
        assertEquals(1, r.only().args().value("splits"));
        // no output channels: no gradient of the filter, nothing to launch
        Conv2dGeometry noFilters = Conv2dGeometry.of("conv2d", Shape.of(2, 2, 5, 5), Shape.of(0, 2, 3, 3), ConvSpec.of(1, 0));
        RecordingRunner r2 = new RecordingRunner();
        new Conv2dLauncher(r2).forward(p, p, p, noFilters);
        new Conv2dLauncher(r2).backwardFilter(p, p, p, null, noFilters);
        assertEquals(0, r2.launches.size());
        new Conv2dLauncher(r2).backwardInput(p, p, p, noFilters); // zeros, still written
        assertEquals(Conv2dLauncher.BACKWARD_INPUT, r2.only().kernel());
    }

    @Test
    void softmaxTakesAWarpPerRowUpTo1024ColumnsAndABlockBeyond() {
        SoftmaxLauncher block = new SoftmaxLauncher(new RecordingRunner(), SoftmaxLauncher.Kernels.BLOCK);
        assertEquals(SoftmaxLauncher.FORWARD_WARP, block.forwardKernel(1));
        assertEquals(SoftmaxLauncher.FORWARD_WARP, block.forwardKernel(1024));
        assertEquals(SoftmaxLauncher.FORWARD_BLOCK, block.forwardKernel(1025));
        assertEquals(new LaunchConfig(3, 1, 1, 256, 1, 1, 0), block.forwardConfig(3, 1025));
        assertEquals(SoftmaxLauncher.BACKWARD_WARP, SoftmaxLauncher.backwardKernel(1024));
        assertEquals(SoftmaxLauncher.BACKWARD_BLOCK, SoftmaxLauncher.backwardKernel(1025));
        // 8 warps of 256 threads: 8 rows per block
        assertEquals(new LaunchConfig(1, 1, 1, 256, 1, 1, 0), SoftmaxLauncher.config(1, 1));
        assertEquals(new LaunchConfig(1, 1, 1, 256, 1, 1, 0), SoftmaxLauncher.config(8, 3));
        assertEquals(new LaunchConfig(2, 1, 1, 256, 1, 1, 0), SoftmaxLauncher.config(9, 3));
        assertEquals(new LaunchConfig(125, 1, 1, 256, 1, 1, 0), SoftmaxLauncher.config(1000, 3));
        assertEquals(new LaunchConfig(3, 1, 1, 256, 1, 1, 0), SoftmaxLauncher.config(3, 1025));
        // more rows than blocks: the row loop takes the rest
        LaunchConfig many = SoftmaxLauncher.config(100_000, 2000);
        assertEquals(65_535, many.gridX());
        assertStrideLoopCoversOnce(100_000, many.gridX());
        RecordingRunner r = new RecordingRunner();
        new SoftmaxLauncher(r).forward(p, p, 0, 5);
        new SoftmaxLauncher(r).backward(p, p, p, 5, 0);
        new SoftmaxLauncher(r).forward(p, p, 0, 5000);
        new SoftmaxLauncher(r).forward(p, p, 5, 0);
        assertEquals(0, r.launches.size());
    }

    @Test
    void fusedSoftmaxGetsABlockPerRowOfWholeWarpsHolding32ValuesEach() {
        // ceil(cols / 32) threads, rounded up to whole warps: every thread full but the last warp's
        assertEquals(32, SoftmaxLauncher.fusedThreads(1));
        assertEquals(32, SoftmaxLauncher.fusedThreads(1024));
        assertEquals(64, SoftmaxLauncher.fusedThreads(1025));
        assertEquals(64, SoftmaxLauncher.fusedThreads(2048));
        assertEquals(96, SoftmaxLauncher.fusedThreads(2049));
        assertEquals(128, SoftmaxLauncher.fusedThreads(4096));
        assertEquals(160, SoftmaxLauncher.fusedThreads(4100));
        assertEquals(256, SoftmaxLauncher.fusedThreads(8161));
        assertEquals(256, SoftmaxLauncher.fusedThreads(8192));
        for (int cols = 1; cols <= SoftmaxLauncher.FUSED_MAX_COLS; cols++) {
            int threads = SoftmaxLauncher.fusedThreads(cols);
            assertEquals(0, threads % 32, cols + " columns");
            assertTrue((long) threads * SoftmaxLauncher.FUSED_VALUES >= cols, cols + " columns fit");
            assertTrue((long) (threads - 32) * SoftmaxLauncher.FUSED_VALUES < cols, cols + " columns: no warp to spare");
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SoftmaxLauncher.fusedThreads(8193));
        assertEquals("softmax forward: the fused kernel holds rows of 1 to 8192 columns, not 8193", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SoftmaxLauncher.fusedThreads(0));
        // a block per row, the rows beyond 65535 blocks walked by the kernel's row loop
        SoftmaxLauncher auto = new SoftmaxLauncher(new RecordingRunner());
        assertEquals(new LaunchConfig(8192, 1, 1, 256, 1, 1, 0), auto.forwardConfig(8192, 8192));
        assertEquals(new LaunchConfig(4096, 1, 1, 128, 1, 1, 0), auto.forwardConfig(4096, 4096));
        assertEquals(new LaunchConfig(2048, 1, 1, 64, 1, 1, 0), auto.forwardConfig(2048, 2048));
        assertEquals(new LaunchConfig(3, 1, 1, 64, 1, 1, 0), auto.forwardConfig(3, 1025));
        LaunchConfig many = auto.forwardConfig(100_000, 3000);
        assertEquals(new LaunchConfig(65_535, 1, 1, 96, 1, 1, 0), many);
        assertStrideLoopCoversOnce(100_000, many.gridX());
        // past 8192 columns the block kernel's 256 threads (its online two-pass path)
        assertEquals(new LaunchConfig(3, 1, 1, 256, 1, 1, 0), auto.forwardConfig(3, 8193));
        // up to 1024 the warp kernel's grid, whatever the choice
        assertEquals(SoftmaxLauncher.config(1000, 3), auto.forwardConfig(1000, 3));
    }

    @Test
    void warpPerRowRowIndicesCoverEveryRowOnce() {
        // the kernel's row = blockIdx.x * 8 + warp, step gridDim.x * 8
        for (int rows : new int[] {1, 7, 8, 9, 1000, 1_000_003}) {
            LaunchConfig cfg = SoftmaxLauncher.config(rows, 3);
            int warps = SoftmaxLauncher.ROWS_PER_WARP_BLOCK;
            long step = (long) cfg.gridX() * warps;
            long covered = 0;
            for (long block = 0; block < cfg.gridX(); block++) {
                for (int warp = 0; warp < warps; warp++) {
                    for (long row = block * warps + warp; row < rows; row += step) {
                        covered++;
                    }
                }
            }
            assertEquals(rows, covered, rows + " rows");
        }
    }

    @Test
    void elementwiseGridsAndTheTwoPassSum() {
        assertEquals(new LaunchConfig(1, 1, 1, 256, 1, 1, 0), LaunchConfig.linear(1, 256));
        assertEquals(new LaunchConfig(1, 1, 1, 256, 1, 1, 0), LaunchConfig.linear(256, 256));
        assertEquals(new LaunchConfig(2, 1, 1, 256, 1, 1, 0), LaunchConfig.linear(257, 256));
        assertEquals(65_535, LaunchConfig.linear(Integer.MAX_VALUE, 256).gridX());
        assertEquals(1, ElementwiseLauncher.sumPartials(1));
        assertEquals(1, ElementwiseLauncher.sumPartials(256));
        assertEquals(2, ElementwiseLauncher.sumPartials(257));
        assertEquals(1024, ElementwiseLauncher.sumPartials(262_144));
        assertEquals(1024, ElementwiseLauncher.sumPartials(1_000_003));

        CUdeviceptr x = new CUdeviceptr(), partials = new CUdeviceptr(), out = new CUdeviceptr();
        RecordingRunner small = new RecordingRunner();
        new ElementwiseLauncher(small).sum(x, partials, out, 200);
        assertEquals(1, small.only().config().gridX());
        assertTrue(small.only().args().value("out") == out, "one pass writes the result directly");

        RecordingRunner large = new RecordingRunner();
        new ElementwiseLauncher(large).sum(x, partials, out, 1_000_003);
        assertEquals(2, large.launches.size());
        RecordingRunner.Launch first = large.launches.get(0), second = large.launches.get(1);
        assertEquals(1024, first.config().gridX());
        assertTrue(first.args().value("out") == partials);
        assertEquals(1_000_003, first.args().value("n"));
        assertEquals(1, second.config().gridX());
        assertTrue(second.args().value("x") == partials && second.args().value("out") == out);
        assertEquals(1024, second.args().value("n"));
        assertThrows(IllegalArgumentException.class, () -> new ElementwiseLauncher(large).sum(x, partials, out, 0));
    }

    @Test
    void biasAndAxisSumGrids() {
        RecordingRunner r = new RecordingRunner();
        ElementwiseLauncher e = new ElementwiseLauncher(r);
        e.addBias(p, p, p, 8, 64, 561);
        assertEquals(LaunchConfig.ceilDiv(8L * 64 * 561, 256), r.launches.get(0).config().gridX());
        e.sumToAxis(p, p, 8, 64, 561);
        assertEquals(64, r.launches.get(1).config().gridX()); // a block per bias element
        e.sumToAxis(p, p, 0, 5, 3); // empty outer extent: zeros are still written
        assertEquals(5, r.launches.get(2).config().gridX());
        e.addBias(p, p, p, 0, 5, 3);
        e.sumToAxis(p, p, 4, 0, 3);
        e.relu(p, p, 0);
        assertEquals(3, r.launches.size());
    }

    @Test
    void launchConfigRejectsWhatCudaWouldReject() {
        assertThrows(IllegalArgumentException.class, () -> new LaunchConfig(0, 1, 1, 32, 1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new LaunchConfig(1, 65_536, 1, 32, 1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new LaunchConfig(1, 1, 65_536, 32, 1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new LaunchConfig(1, 1, 1, 1025, 1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new LaunchConfig(1, 1, 1, 32, 32, 2, 0));
        assertThrows(IllegalArgumentException.class, () -> LaunchConfig.linear(0, 256));
        assertEquals(1024, new LaunchConfig(1, 1, 1, 32, 32, 1, 0).threadsPerBlock());
    }
}

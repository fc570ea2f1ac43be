package dev.tensorbackend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import dev.tensorbackend.api.BackendException;
import dev.tensorbackend.api.MatmulDims;
import dev.tensorbackend.api.Shape;
import jcuda.driver.CUdeviceptr;
import org.junit.jupiter.api.Test;

/** -Dtensor.cuda.matmul.kernel: auto keeps the launch rule; a kernel's name forces it for every call. */
class MatmulKernelPropertyTest {
    private static final MatmulDims SMALL = MatmulDims.of(Shape.of(8, 8), false, Shape.of(8, 8), false);
    private static final MatmulDims LARGE = MatmulDims.of(Shape.of(4096, 4096), false, Shape.of(4096, 4096), false);

    @Test
    void autoOrNothingMeansTheLaunchRule() {
        assertNull(MatmulLauncher.forcedTiling(null));
        assertNull(MatmulLauncher.forcedTiling(""));
        assertNull(MatmulLauncher.forcedTiling("auto"));
        assertNull(MatmulLauncher.forcedTiling(" AUTO "));
    }

    @Test
    void everyKernelCanBeForcedByItsShortOrFullName() {
        for (MatmulLauncher.Tiling t : MatmulLauncher.ALL) {
            assertSame(t, MatmulLauncher.forcedTiling(t.shortName()));
            assertSame(t, MatmulLauncher.forcedTiling(t.kernel()));
        }
        assertEquals(List.of("tile128", "tile64", "tile32", "warp128", "warp128k16", "warp128x256"),
                MatmulLauncher.ALL.stream().map(MatmulLauncher.Tiling::shortName).toList());
    }

    @Test
    void anUnknownNameIsRefusedWithTheKnownOnes() {
        BackendException e = assertThrows(BackendException.class, () -> MatmulLauncher.forcedTiling("tile256"));
        assertEquals("tensor.cuda.matmul.kernel: unknown matmul kernel 'tile256'; use auto, tile128, tile64, tile32, "
                + "warp128, warp128k16, warp128x256", e.getMessage());
    }

    @Test
    void aForcedKernelIsLaunchedForEveryShapeWithItsOwnGrid() {
        RecordingRunner auto = new RecordingRunner();
        new MatmulLauncher(auto).matmul(new CUdeviceptr(), new CUdeviceptr(), new CUdeviceptr(), SMALL);
        assertEquals(MatmulLauncher.TILE32, auto.only().kernel());
        for (MatmulLauncher.Tiling t : MatmulLauncher.ALL) {
            for (MatmulDims d : List.of(SMALL, LARGE)) {
                RecordingRunner r = new RecordingRunner();
                new MatmulLauncher(r, t).matmul(new CUdeviceptr(), new CUdeviceptr(), new CUdeviceptr(), d);
                assertEquals(t.kernel(), r.only().kernel());
                LaunchConfig c = r.only().config();
                assertEquals(new LaunchConfig((d.n() + t.tileN() - 1) / t.tileN(), (d.m() + t.tileM() - 1) / t.tileM(), 1,
                        t.threads(), 1, 1, 0), c, t.kernel());
            }
        }
    }

    @Test
    void theWideVariantsTileIsTwiceAsWideAsHigh() {
        MatmulLauncher.Tiling wide = MatmulLauncher.tiling(MatmulLauncher.WARP128X256);
        assertEquals(128, wide.tileM());
        assertEquals(256, wide.tileN());
        assertThrows(IllegalStateException.class, wide::tile);
        // 4096 x 4096: 16 column tiles, 32 row tiles
        LaunchConfig c = MatmulLauncher.config(LARGE, MatmulLauncher.WARP128X256);
        assertEquals(new LaunchConfig(16, 32, 1, 256, 1, 1, 0), c);
    }
}

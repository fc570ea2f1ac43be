package dev.tensorbackend.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GeometryTest {

    @Test
    void shapeBasics() {
        Shape s = Shape.of(2, 3, 4);
        assertEquals(24, s.size());
        assertEquals(4, s.dim(-1));
        assertEquals(12, s.strideOf(0));
        assertEquals(1, Shape.scalar().size());
        assertEquals(0, Shape.of(3, 0).size());
        assertEquals("[2, 3, 4]", s.toString());
        assertEquals(Shape.of(2, 3, 4), s);
        assertThrows(BackendException.class, () -> Shape.of(2, -1));
        assertThrows(BackendException.class, () -> Shape.of(65536, 65536));
    }

    @Test
    void emptyShapesAreLegalHoweverLargeTheOtherDimensions() {
        assertEquals(0, Shape.of(65536, 65536, 0).size());
        assertEquals(0, Shape.of(0, 65536, 65536).size());
        assertEquals(0, Shape.of(Integer.MAX_VALUE, Integer.MAX_VALUE, 0).size());
        BackendException e = assertThrows(BackendException.class, () -> Shape.of(65536, 65536, 1));
        assertTrue(e.getMessage().contains("[65536, 65536, 1]") && e.getMessage().contains("2147483647"), e.getMessage());
    }

    @Test
    void strideOfFollowsDimsNegativeAxes() {
        Shape s = Shape.of(2, 3, 4);
        assertEquals(1, s.strideOf(-1));
        assertEquals(4, s.strideOf(-2));
        assertEquals(12, s.strideOf(-3));
        assertEquals(s.strideOf(1), s.strideOf(-2));
        BackendException out = assertThrows(BackendException.class, () -> s.strideOf(3));
        assertTrue(out.getMessage().contains("axis 3") && out.getMessage().contains("[2, 3, 4]"), out.getMessage());
        assertThrows(BackendException.class, () -> s.strideOf(-4));
        // empty, but the axes after axis 0 multiply to 2^32: an error, not a wrapped 0
        BackendException wide = assertThrows(BackendException.class, () -> Shape.of(0, 65536, 65536).strideOf(0));
        assertTrue(wide.getMessage().contains("stride of axis 0"), wide.getMessage());
    }

    @Test
    void sizesThatPassIntAreErrorsNamingWhatWasSized() {
        assertEquals(6, Sizes.elements("x", 1, 2, 3));
        assertEquals(0, Sizes.elements("x", Long.MAX_VALUE, 0, 7));
        BackendException e = assertThrows(BackendException.class, () -> Sizes.elements("conv2d: the patches", 65536, 65536));
        assertEquals("conv2d: the patches would hold 65536 x 65536 elements, more than 2147483647", e.getMessage());
        assertThrows(BackendException.class, () -> Sizes.elements("x", Long.MAX_VALUE, Long.MAX_VALUE));
    }

    @Test
    void convGeometryComputesPaddingAndSizesWithoutWrapping() {
        // 2 * pad passes int: once reported as "padded input -2147483647"
        BackendException pad = assertThrows(BackendException.class, () -> Conv2dGeometry.of("conv2d",
                Shape.of(1, 1, 1, 1), Shape.of(1, 1, 1, 1), ConvSpec.of(1, Integer.MAX_VALUE / 2 + 1)));
        assertTrue(pad.getMessage().startsWith("conv2d(input[1, 1, 1, 1], filter[1, 1, 1, 1]")
                && pad.getMessage().contains("padded input 2147483649x2147483649"), pad.getMessage());
        // a legal geometry whose output would pass int
        BackendException out = assertThrows(BackendException.class, () -> Conv2dGeometry.of("conv2dBackwardInput",
                Shape.of(1, 1, 1, 1), Shape.of(1, 1, 1, 1), ConvSpec.of(1, 30000)));
        assertTrue(out.getMessage().startsWith("conv2dBackwardInput(") && out.getMessage().contains("the output would hold 1 x 1 x 60001 x 60001"),
                out.getMessage());
        // input and output fit, the per-image scratch a fast path needs does not: named with the op
        Conv2dGeometry big = Conv2dGeometry.of("conv2d", Shape.of(1, 600, 200, 200), Shape.of(1, 600, 3, 3), ConvSpec.of(1, 1000));
        BackendException img = assertThrows(BackendException.class, () -> big.paddedImageSize("conv2d"));
        assertTrue(img.getMessage().startsWith("conv2d: one zero-bordered image of input[1, 600, 200, 200]")
                && img.getMessage().contains("600 x 2200 x 2200"), img.getMessage());
        Conv2dGeometry wide = Conv2dGeometry.of("conv2d", Shape.of(1, 64, 1024, 1024), Shape.of(1, 64, 7, 7), ConvSpec.of(1, 3));
        BackendException col = assertThrows(BackendException.class, () -> wide.patchMatrixSize("conv2dBackwardInput"));
        assertTrue(col.getMessage().startsWith("conv2dBackwardInput: the patch matrix") && col.getMessage().contains("64 x 7 x 7 x 1024 x 1024"),
                col.getMessage());
    }

    @Test
    void matmulResultPastIntIsNamed() {
        BackendException e = assertThrows(BackendException.class,
                () -> MatmulDims.of(Shape.of(65536, 1), false, Shape.of(1, 65536), false));
        assertTrue(e.getMessage().startsWith("matmul(a[65536, 1], b[1, 65536])") && e.getMessage().contains("1 x 65536 x 65536"),
                e.getMessage());
        assertEquals(Shape.of(0, 65536), MatmulDims.of(Shape.of(0, 1), false, Shape.of(1, 65536), false).outShape());
    }

    @Test
    void matmulDimsFollowTheTransposeFlags() {
        MatmulDims d = MatmulDims.of(Shape.of(5, 3), true, Shape.of(7, 5), true);
        assertEquals(3, d.m());
        assertEquals(7, d.n());
        assertEquals(5, d.k());
        assertEquals(Shape.of(3, 7), d.outShape());
        assertEquals(2.0 * 3 * 7 * 5, d.flops());
    }

    @Test
    void matmulDimsBroadcastARank2Operand() {
        MatmulDims d = MatmulDims.of(Shape.of(4, 2, 3), false, Shape.of(3, 5), false);
        assertEquals(4, d.batch());
        assertEquals(6, d.aBatchStride());
        assertEquals(0, d.bBatchStride());
        assertEquals(Shape.of(4, 2, 5), d.outShape());
    }

    @Test
    void convGeometryAppliesStrideAndPadding() {
        Conv2dGeometry g = Conv2dGeometry.of("conv2d", Shape.of(8, 16, 64, 64), Shape.of(32, 16, 3, 3), ConvSpec.of(1, 1));
        assertEquals(Shape.of(8, 32, 64, 64), g.outputShape());
        Conv2dGeometry d = Conv2dGeometry.of("conv2d", Shape.of(1, 1, 4, 4), Shape.of(1, 1, 2, 2), ConvSpec.of(2, 0));
        assertEquals(Shape.of(1, 1, 2, 2), d.outputShape());
        // (7 + 2 - 3) / 2 + 1 = 4 rows, (5 + 0 - 2) / 3 + 1 = 2 cols
        Conv2dGeometry odd = Conv2dGeometry.of("conv2d", Shape.of(1, 1, 7, 5), Shape.of(1, 1, 3, 2), new ConvSpec(2, 3, 1, 0));
        assertEquals(Shape.of(1, 1, 4, 2), odd.outputShape());
    }

    @Test
    void toleranceReportsTheWorstElementAndNeverAcceptsNaN() {
        Tolerance tol = new Tolerance(1e-3, 1e-2);
        Tolerance.Comparison ok = tol.compare(new float[] {1, 100, 0}, new float[] {1.0005f, 100.5f, 0});
        assertTrue(ok.passed(), ok.toString());
        assertEquals(1, ok.index(), "100.5 vs 100 uses most of its allowance");
        Tolerance.Comparison bad = tol.compare(new float[] {1, 2, 3}, new float[] {1, 2.5f, Float.NaN});
        assertTrue(!bad.passed());
        assertEquals(1, bad.index(), "the first failing element is reported");
        assertTrue(bad.toString().startsWith("FAIL"), bad.toString());
        assertTrue(!tol.compare(new float[] {Float.NaN}, new float[] {0}).passed());
        assertTrue(tol.compare(new float[] {Float.NaN}, new float[] {Float.NaN}).passed());
        assertTrue(!tol.compare(new float[] {Float.POSITIVE_INFINITY}, new float[] {Float.MAX_VALUE}).passed());
    }
}

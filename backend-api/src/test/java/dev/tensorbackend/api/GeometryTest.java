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

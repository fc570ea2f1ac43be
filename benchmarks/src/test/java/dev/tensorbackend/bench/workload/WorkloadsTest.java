package dev.tensorbackend.bench.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorbackend.api.Shape;
import org.junit.jupiter.api.Test;

class WorkloadsTest {

    @Test
    void matmulCasesHaveTheAttentionShapesOfTheNetwork() {
        MatmulCase qkt = MatmulCase.parse("qkt-32x512x64");
        assertEquals(Shape.of(32, 512, 64), qkt.a());
        assertEquals(Shape.of(32, 512, 64), qkt.b());
        assertTrue(qkt.transB());
        assertEquals(2.0 * 32 * 512 * 512 * 64, qkt.work().flops());
        MatmulCase av = MatmulCase.parse("av-32x512x64");
        assertEquals(Shape.of(32, 512, 512), av.a());
        assertEquals(Shape.of(32, 512, 64), av.b());
        assertEquals(2.0 * 32 * 512 * 512 * 64, av.work().flops());
        assertEquals(2.0 * 4096 * 4096 * 4096, MatmulCase.parse("4096").work().flops());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MatmulCase.parse("qkt-8x0x4"));
        assertTrue(e.getMessage().contains("qkt-8x0x4"));
    }

    @Test
    void tallAndSkinnyCasesAreADenseLayersThreeProducts() {
        MatmulCase forward = MatmulCase.parse("tall-16384x64x32"); // X [16384,64] W [64,32]
        assertEquals(Shape.of(16384, 64), forward.a());
        assertEquals(Shape.of(64, 32), forward.b());
        assertFalse(forward.transA() || forward.transB());
        MatmulCase inputGrad = MatmulCase.parse("tallbt-16384x64x32"); // dY [16384,64] W^T, W stored [32,64]
        assertEquals(Shape.of(16384, 64), inputGrad.a());
        assertEquals(Shape.of(32, 64), inputGrad.b());
        assertTrue(inputGrad.transB() && !inputGrad.transA());
        MatmulCase weightGrad = MatmulCase.parse("wgrad-64x16384x32"); // X^T dY, X stored [16384,64]
        assertEquals(Shape.of(16384, 64), weightGrad.a());
        assertEquals(Shape.of(16384, 32), weightGrad.b());
        assertTrue(weightGrad.transA() && !weightGrad.transB());
        assertEquals("[16384,64]^T x [16384,32]", weightGrad.shapeText());
        for (MatmulCase c : new MatmulCase[] {forward, inputGrad, weightGrad}) {
            assertEquals(MatmulCase.TALL, c.op());
            assertEquals(2.0 * 16384 * 64 * 32, c.work().flops(), c.label());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MatmulCase.parse("wgrad-64x16384"));
        assertTrue(e.getMessage().contains("MxKxN"), e.getMessage());
    }

    @Test
    void convCasesAreTheDocumentedMidAndLargeShapes() {
        ConvCase doc = ConvCase.parse("documented");
        assertEquals(Shape.of(1, 1, 2, 2), doc.output());
        assertEquals(2.0 * 4 * 4, doc.work().flops());
        ConvCase large = ConvCase.parse("large");
        assertEquals(Shape.of(32, 64, 56, 56), large.output());
        assertEquals(2.0 * 32 * 64 * 56 * 56 * 64 * 9, large.work().flops());
        ConvCase smallBatch = ConvCase.parse("mid-b1"); // the mid layer on one image
        assertEquals(Shape.of(1, 32, 64, 64), smallBatch.output());
        assertEquals(2.0 * 32 * 64 * 64 * 16 * 9, smallBatch.work().flops());
        assertThrows(IllegalArgumentException.class, () -> ConvCase.parse("huge"));
    }

    @Test
    void workIsEitherFlopsOrBytes() {
        assertEquals(2.0, Work.flops(4e9).throughput(2), 0);
        assertEquals("GB/s", Work.bytes(1).unit());
        assertThrows(IllegalArgumentException.class, () -> new Work(1, 1));
        assertThrows(IllegalArgumentException.class, () -> new Work(0, 0));
    }

    @Test
    void randomInputsAreSeededAndInRange() {
        float[] a = Workloads.random(Shape.of(3, 5), 7);
        float[] b = Workloads.random(Shape.of(3, 5), 7);
        assertEquals(15, a.length);
        for (int i = 0; i < a.length; i++) {
            assertEquals(a[i], b[i]);
            assertTrue(a[i] >= -1 && a[i] < 1);
        }
    }
}

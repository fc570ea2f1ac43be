package dev.tensorbackend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorbackend.api.Backend;
import dev.tensorbackend.api.BackendException;
import dev.tensorbackend.api.BackendProvider;
import dev.tensorbackend.api.Backends;
import dev.tensorbackend.api.ShadowBackend;
import dev.tensorbackend.api.Shape;
import dev.tensorbackend.api.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Shadow execution finds a planted divergence and names it; selection through Backends. */
class ShadowBackendTest {

    @Test
    void aWrongElementIsNamedWithTheOpItsCountIndexValuesAndTolerance() {
        // mul's element 4 ([1, 1] of a [2, 3] result) is off by 0.5 on the primary
        try (ShadowBackend b = new ShadowBackend(new OneWrongElement("mul", 4, 0.5f), new ReferenceBackend())) {
            Tensor x = b.upload(Shape.of(2, 3), new float[] {1, 2, 3, 4, 5, 6});   // op 1
            Tensor y = b.upload(Shape.of(2, 3), new float[] {6, 5, 4, 3, 2, 1});   // op 2
            Tensor s = b.add(x, y);                                                // op 3: right on both
            assertArrayEquals(new float[] {7, 7, 7, 7, 7, 7}, s.toArray());
            BackendException e = assertThrows(BackendException.class, () -> b.mul(x, s)); // op 4
            String m = e.getMessage();
            assertTrue(m.startsWith("shadow: op 4, mul(a[2, 3], b[2, 3]) diverges: element 4 [1, 1] of result[2, 3]"), m);
            assertTrue(m.contains("is 35.5 on wrong and 35.0 on reference"), m);
            assertTrue(m.contains("|difference| 0.500") && m.contains("atol 0.00 + rtol 0.00"), m);
            assertEquals(4, b.opCount());
            assertEquals(6 * 3 * Float.BYTES, b.memoryStats().liveBytes(), "the diverging result was closed, the rest is open");
        }
    }

    @Test
    void aSmallErrorInAReductionPassesAndALargerOneFails() {
        // matmul of 3 terms: tolerance atol 3e-6 (operands up to 1), rtol 1e-5
        float[] a = {0.5f, -0.25f, 1, 0.75f, 0.5f, -1};
        float[] bm = {1, 0.5f, -0.5f, 0.25f, 1, 1};
        try (ShadowBackend ok = new ShadowBackend(new OneWrongElement("matmul", 1, 1e-6f), new ReferenceBackend())) {
            ok.matmul(ok.upload(Shape.of(2, 3), a), ok.upload(Shape.of(3, 2), bm));
        }
        try (ShadowBackend bad = new ShadowBackend(new OneWrongElement("matmul", 3, 1e-3f), new ReferenceBackend())) {
            Tensor ta = bad.upload(Shape.of(2, 3), a), tb = bad.upload(Shape.of(3, 2), bm);
            BackendException e = assertThrows(BackendException.class, () -> bad.matmul(ta, tb));
            assertTrue(e.getMessage().startsWith("shadow: op 3, matmul(a[2, 3], b[3, 2]) diverges: element 3 [1, 1] of result[2, 2]"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("atol 3.00e-06 + rtol 1.00e-05"), e.getMessage());
            // the backend stays usable after a divergence
            assertArrayEquals(new float[] {1}, bad.upload(Shape.of(1), new float[] {1}).toArray());
        }
    }

    @Test
    void wrongArgumentsFailBeforeEitherBackendRuns() {
        try (ShadowBackend b = new ShadowBackend(new CpuBackend(), new ReferenceBackend())) {
            Tensor x = b.upload(Shape.of(2, 3), new float[6]);
            BackendException e = assertThrows(BackendException.class, () -> b.add(x, b.upload(Shape.of(3, 2), new float[6])));
            assertEquals("add: shapes differ: [2, 3] vs [3, 2]", e.getMessage());
        }
    }

    private static final List<BackendProvider> PROVIDERS = List.of(new CpuBackendProvider(), new ReferenceBackendProvider());

    @Test
    void backendsShadowsTheSelectedBackendAndSaysSoOnce() {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (Backend b = Backends.create("cpu", "reference", PROVIDERS, new PrintStream(log, true, StandardCharsets.UTF_8))) {
            ShadowBackend s = assertInstanceOf(ShadowBackend.class, b);
            assertEquals("cpu", s.primary().name());
            assertEquals("reference", s.shadow().name());
            assertEquals("cpu shadowed by reference", b.name());
            assertArrayEquals(new float[] {2, 4}, b.scale(b.upload(Shape.of(2), new float[] {1, 2}), 2).toArray());
        }
        String said = log.toString(StandardCharsets.UTF_8);
        assertEquals(1, said.lines().count(), said);
        assertTrue(said.startsWith("tensor.shadow=reference: shadowing is on: every op of cpu also runs on reference"), said);
        try (Backend plain = Backends.create("reference", null, PROVIDERS, System.err)) {
            assertInstanceOf(ReferenceBackend.class, plain);
        }
    }

    @Test
    void anUnknownShadowFailsListingTheKnownNames() {
        BackendException e = assertThrows(BackendException.class,
                () -> Backends.create("cpu", "gpu", PROVIDERS, System.err));
        assertEquals("tensor.shadow=gpu: unknown backend 'gpu'; known: auto, cpu, reference", e.getMessage());
    }
}

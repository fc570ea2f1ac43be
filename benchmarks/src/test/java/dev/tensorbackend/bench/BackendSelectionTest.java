package dev.tensorbackend.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorbackend.api.Backend;
import dev.tensorbackend.api.BackendException;
import dev.tensorbackend.api.BackendProvider;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which backends the suite measures, and how an unusable one is left out. */
class BackendSelectionTest {

    private static BackendProvider provider(String name, BackendProvider.Availability availability) {
        return new BackendProvider() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public int priority() {
                return 0;
            }

            @Override
            public Availability availability() {
                return availability;
            }

            @Override
            public Backend create() {
                throw new AssertionError("selection must not create backends");
            }
        };
    }

    private static final List<BackendProvider> PROVIDERS = List.of(
            provider("cuda", BackendProvider.Availability.no("no libcuda.so.1 on the library path")),
            provider("cpu", BackendProvider.Availability.yes()));

    @Test
    void byDefaultEveryUsableBackendCpuFirstAndTheOthersLeftOutWithTheirReason() {
        for (String requested : List.of("", "all", "auto", " ALL ")) {
            List<String> notes = new ArrayList<>();
            assertEquals(List.of("cpu"), BenchMain.usableBackends(requested, PROVIDERS, notes), requested);
            assertTrue(notes.contains("backend cuda left out: no libcuda.so.1 on the library path"), notes.toString());
        }
    }

    @Test
    void anExplicitListKeepsItsUsableMembersInOrder() {
        List<BackendProvider> both = List.of(provider("cuda", BackendProvider.Availability.yes()),
                provider("cpu", BackendProvider.Availability.yes()));
        assertEquals(List.of("cuda", "cpu"), BenchMain.usableBackends("cuda, cpu", both, new ArrayList<>()));
        assertEquals(List.of("cpu", "cuda"), BenchMain.usableBackends("", both, new ArrayList<>()));
    }

    /** Asked for by name, a backend that cannot run stops the suite at once: nobody wants "No measurements". */
    @Test
    void anExplicitBackendThatCannotRunFailsAtOnceWithItsReason() {
        for (String requested : new String[] {"cuda", "cpu,cuda"}) {
            List<String> notes = new ArrayList<>();
            BackendException e = assertThrows(BackendException.class, () -> BenchMain.usableBackends(requested, PROVIDERS, notes));
            assertEquals("backend cuda cannot run here: no libcuda.so.1 on the library path", e.getMessage());
        }
    }

    @Test
    void theReferenceBackendIsMeasuredOnlyWhenNamed() {
        List<BackendProvider> three = List.of(provider("cpu", BackendProvider.Availability.yes()),
                provider("reference", BackendProvider.Availability.yes()));
        assertEquals(List.of("cpu"), BenchMain.usableBackends("", three, new ArrayList<>()));
        assertEquals(List.of("reference"), BenchMain.usableBackends("reference", three, new ArrayList<>()));
    }

    @Test
    void benchmarksRefuseAShadowedBackendWithTheReason() {
        String before = System.getProperty(dev.tensorbackend.api.Backends.SHADOW_PROPERTY);
        System.setProperty(dev.tensorbackend.api.Backends.SHADOW_PROPERTY, "reference");
        try {
            BackendException e = assertThrows(BackendException.class, () -> BenchBackends.open("cpu"));
            assertTrue(e.getMessage().startsWith("tensor.shadow=reference (or TENSOR_SHADOW) is set: benchmarks refuse to run"
                    + " shadowed, because every op would also run on reference"), e.getMessage());
            assertEquals(e.getMessage(), BenchBackends.shadowRefusal());
        } finally {
            if (before == null) {
                System.clearProperty(dev.tensorbackend.api.Backends.SHADOW_PROPERTY);
            } else {
                System.setProperty(dev.tensorbackend.api.Backends.SHADOW_PROPERTY, before);
            }
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("TENSOR_SHADOW") == null, "TENSOR_SHADOW is set here");
        assertEquals(null, BenchBackends.shadowRefusal());
        try (Backend cpu = BenchBackends.open("cpu")) {
            assertEquals("cpu", cpu.name());
        }
    }

    @Test
    void anUnknownNameFailsListingTheKnownOnes() {
        BackendException e = assertThrows(BackendException.class,
                () -> BenchMain.usableBackends("cpu,cdua", PROVIDERS, new ArrayList<>()));
        assertTrue(e.getMessage().contains("cdua") && e.getMessage().contains("cpu"), e.getMessage());
    }

    /** Stands in for a backend that reports its matmul, as the CUDA backend does. */
    public static final class ReportsMatmul {
        private final String path;

        ReportsMatmul(String path) {
            this.path = path;
        }

        public String matmulPath() {
            return path;
        }
    }

    @Test
    void theMatmulABackendChoseIsReadWhereItSaysSo() {
        assertEquals(java.util.Optional.of("kernel"), BenchMain.matmulPath(new ReportsMatmul("kernel")));
        assertEquals(java.util.Optional.of("cublas"), BenchMain.matmulPath(new ReportsMatmul("cublas")));
        assertEquals(java.util.Optional.empty(), BenchMain.matmulPath(new Object()));
    }

    /** The report names the CPU kernel set that ran: its width depends on the CPU and on tensor.cpu.vectorBits. */
    @Test
    void theCpuKernelsAreNamedWithTheirWidth() {
        String kernels = BenchMain.cpuKernels();
        assertTrue(kernels.matches("vector, (128|256|512)-bit \\(\\d+ lanes\\), \\dx\\d+ micro-tile(, 6x64 for A read in place)?"),
                kernels);
    }
}

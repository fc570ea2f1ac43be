package dev.tensorbackend.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackendsTest {

    /** A provider that hands out a marker backend, usable or not. */
    private record FakeProvider(String name, int priority, Availability availability, Backend backend)
            implements BackendProvider {
        static FakeProvider usable(String name, int priority) {
            Backend marker = (Backend) java.lang.reflect.Proxy.newProxyInstance(Backend.class.getClassLoader(),
                    new Class<?>[] {Backend.class}, (proxy, method, args) -> method.getName().equals("name") ? name : null);
            return new FakeProvider(name, priority, Availability.yes(), marker);
        }

        static FakeProvider unusable(String name, int priority, String reason) {
            return new FakeProvider(name, priority, Availability.no(reason), null);
        }

        @Override
        public Backend create() {
            if (!availability.usable()) {
                throw new AssertionError("create() called on an unusable provider");
            }
            return backend;
        }
    }

    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private final PrintStream logStream = new PrintStream(log, true, StandardCharsets.UTF_8);

    private String logged() {
        return log.toString(StandardCharsets.UTF_8);
    }

    @Test
    void autoPrefersTheUsableProviderOfHighestPriorityAndSaysSo() {
        FakeProvider cpu = FakeProvider.usable("cpu", 0), gpu = FakeProvider.usable("cuda", 100);
        Backend b = Backends.create("auto", List.of(cpu, gpu), logStream);
        assertSame(gpu.backend(), b);
        assertEquals("tensor.backend=auto: using cuda" + System.lineSeparator(), logged());
    }

    @Test
    void autoFallsBackWithTheReasonOnOneLine() {
        FakeProvider cpu = FakeProvider.usable("cpu", 0);
        FakeProvider gpu = FakeProvider.unusable("cuda", 100, "libcuda.so.1 not found (no NVIDIA driver)");
        Backend b = Backends.create("auto", List.of(gpu, cpu), logStream);
        assertSame(cpu.backend(), b);
        assertEquals("tensor.backend=auto: using cpu (cuda unusable: libcuda.so.1 not found (no NVIDIA driver))"
                + System.lineSeparator(), logged());
    }

    @Test
    void namedUnusableBackendFailsWithItsReasonAndNeverFallsBack() {
        FakeProvider cpu = FakeProvider.usable("cpu", 0);
        FakeProvider gpu = FakeProvider.unusable("cuda", 100, "no CUDA device");
        BackendException e = assertThrows(BackendException.class,
                () -> Backends.create("cuda", List.of(cpu, gpu), logStream));
        assertEquals("backend 'cuda' is not usable: no CUDA device", e.getMessage());
        assertEquals("", logged());
    }

    @Test
    void unknownNameListsTheKnownOnes() {
        BackendException e = assertThrows(BackendException.class, () -> Backends.create("tpu",
                List.of(FakeProvider.usable("cpu", 0), FakeProvider.unusable("cuda", 100, "x")), logStream));
        assertEquals("unknown backend 'tpu'; known: auto, cpu, cuda", e.getMessage());
    }

    @Test
    void namesAreCaseAndSpaceInsensitive() {
        FakeProvider cpu = FakeProvider.usable("cpu", 0);
        assertSame(cpu.backend(), Backends.create(" CPU ", List.of(cpu), logStream));
    }

    @Test
    void autoWithNothingUsableFailsWithEveryReason() {
        BackendException e = assertThrows(BackendException.class, () -> Backends.create("auto",
                List.of(FakeProvider.unusable("cuda", 100, "no CUDA device")), logStream));
        assertTrue(e.getMessage().contains("no usable backend; cuda unusable: no CUDA device"), e.getMessage());
    }

    @Test
    void systemPropertyChoosesTheName() {
        String before = System.getProperty(Backends.PROPERTY);
        try {
            System.setProperty(Backends.PROPERTY, "Cuda");
            assertEquals("cuda", Backends.selectedName());
        } finally {
            if (before == null) {
                System.clearProperty(Backends.PROPERTY);
            } else {
                System.setProperty(Backends.PROPERTY, before);
            }
        }
    }
}

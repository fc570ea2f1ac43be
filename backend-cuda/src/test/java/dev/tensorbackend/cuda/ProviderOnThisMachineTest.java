package dev.tensorbackend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.tensorbackend.api.Backend;
import dev.tensorbackend.api.BackendException;
import dev.tensorbackend.api.BackendProvider;
import dev.tensorbackend.api.Backends;
import org.junit.jupiter.api.Test;

/**
 * The real provider on a machine without the NVIDIA driver (this one, and CI): the reason is
 * the missing libcuda.so.1, on one line; an explicit cuda fails with it and auto falls back
 * to the CPU saying so on one line. Skipped, with the reason, where a driver library exists.
 */
class ProviderOnThisMachineTest {
    private static final String NO_DRIVER = "libcuda.so.1 not found: no NVIDIA driver is installed on this machine";

    /** libcuda.so.1 in one of the places the dynamic linker usually finds it. */
    private static Optional<Path> driverLibrary() {
        List<String> dirs = new ArrayList<>(List.of("/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib64",
                "/lib64", "/usr/lib", "/usr/lib/aarch64-linux-gnu", "/usr/lib/wsl/lib", "/usr/local/nvidia/lib64"));
        String ld = System.getenv("LD_LIBRARY_PATH");
        if (ld != null) {
            dirs.addAll(List.of(ld.split(":")));
        }
        return dirs.stream().filter(d -> !d.isBlank()).map(d -> Path.of(d, "libcuda.so.1")).filter(Files::exists).findFirst();
    }

    private static void assumeNoDriver() {
        Optional<Path> lib = driverLibrary();
        assumeFalse(lib.isPresent(), () -> "this machine has the NVIDIA driver library " + lib.get()
                + "; the no-driver reason cannot be observed here");
    }

    @Test
    void providerSaysLibcudaIsMissingOnOneLine() {
        assumeNoDriver();
        CudaBackendProvider provider = new CudaBackendProvider();
        BackendProvider.Availability a = provider.availability();
        assertFalse(a.usable());
        assertEquals(NO_DRIVER, a.reason());
        assertEquals(a, provider.availability(), "cheap to ask twice, same answer");
        BackendException e = assertThrows(BackendException.class, provider::create);
        assertEquals("backend 'cuda' is not usable: " + NO_DRIVER, e.getMessage());
    }

    @Test
    void providerIsRegisteredAndPreferredOverTheCpu() {
        List<BackendProvider> providers = Backends.providers();
        assertEquals("cuda", providers.get(0).name(), "highest priority first");
        assertTrue(providers.stream().anyMatch(p -> p.name().equals("cpu")));
        assertTrue(new CudaBackendProvider().priority() > 0);
    }

    @Test
    void explicitCudaFailsWithTheReasonAndAutoFallsBackSayingWhy() {
        assumeNoDriver();
        List<BackendProvider> providers = Backends.providers();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(log, true, StandardCharsets.UTF_8);
        BackendException e = assertThrows(BackendException.class, () -> Backends.create("cuda", providers, err));
        assertTrue(e.getMessage().contains(NO_DRIVER), e.getMessage());
        assertEquals("", log.toString(StandardCharsets.UTF_8), "an explicit choice logs nothing, it fails");
        try (Backend b = Backends.create("auto", providers, err)) {
            assertEquals("cpu", b.name());
        }
        String line = log.toString(StandardCharsets.UTF_8);
        assertEquals(1, line.lines().count(), line);
        assertTrue(line.contains("cpu") && line.contains(NO_DRIVER), line);
    }
}

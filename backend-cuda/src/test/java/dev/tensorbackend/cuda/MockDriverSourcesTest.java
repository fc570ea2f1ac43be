package dev.tensorbackend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jcuda.JCudaVersion;
import org.junit.jupiter.api.Test;

/**
 * What the mock driver is built from stays in step with what it stands in for: the kernels
 * build.sh found for the dispatch table are exactly the kernels of the .cu sources, and
 * jcuda-driver-imports.txt (every symbol it must define) is exactly what JCuda's native driver
 * binding imports. Needs no driver; skipped, saying why, without the built mock or without nm.
 */
class MockDriverSourcesTest {
    /** From the module (Maven) or from the project root (the device bundle's test runner). */
    private static final Path MOCK_SOURCES = Files.isDirectory(Path.of("src/test/mock-driver"))
            ? Path.of("src/test/mock-driver") : Path.of("backend-cuda/src/test/mock-driver");

    @Test
    void theDispatchTableHoldsEveryKernelOfTheSourcesAndNoOther() throws IOException {
        Path table = Path.of("target/mock-driver/mock_kernels.inc");
        assumeTrue(Files.isRegularFile(table), () -> "mock driver not built: no " + table);
        Map<String, TreeSet<String>> generated = new TreeMap<>();
        Matcher m = Pattern.compile("X\\((\\w+), (\\w+)\\)").matcher(Files.readString(table));
        while (m.find()) {
            generated.computeIfAbsent(m.group(1), k -> new TreeSet<>()).add(m.group(2));
        }
        Map<String, TreeSet<String>> sources = new TreeMap<>();
        for (String module : CudaSources.modules()) {
            sources.put(module, new TreeSet<>(CudaSources.kernels(module).keySet()));
        }
        assertEquals(sources, generated, "kernels per module: the .cu sources vs the mock's dispatch table");
    }

    @Test
    void theImportListIsWhatJCudasDriverBindingImports() throws Exception {
        String resource = "/lib/libJCudaDriver-" + JCudaVersion.get() + "-linux-x86_64.so";
        Path lib = Files.createTempFile("libJCudaDriver", ".so");
        try {
            try (InputStream in = JCudaVersion.class.getResourceAsStream(resource)) {
                assumeTrue(in != null, () -> "no " + resource + " on the class path (not linux-x86_64)");
                Files.copy(in, lib, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            Process nm;
            try {
                nm = new ProcessBuilder("nm", "-D", "--undefined-only", lib.toString()).redirectErrorStream(true).start();
            } catch (IOException e) {
                assumeTrue(false, "nm (binutils) is not on the PATH");
                return;
            }
            String listing = new String(nm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assumeTrue(nm.waitFor(60, TimeUnit.SECONDS) && nm.exitValue() == 0, () -> "nm failed: " + listing);
            TreeSet<String> imported = new TreeSet<>();
            for (String line : listing.split("\n")) {
                String[] f = line.trim().split("\\s+");
                String symbol = f[f.length - 1].replaceAll("@.*", "");
                if (symbol.startsWith("cu")) {
                    imported.add(symbol);
                }
            }
            Path list = MOCK_SOURCES.resolve("jcuda-driver-imports.txt");
            assertFalse(imported.isEmpty(), "nm found no cu* imports");
            assertEquals(imported, new TreeSet<>(Files.readAllLines(list)),
                    list + " must list every cu* symbol " + resource + " imports (regenerate it with nm -D --undefined-only)");
        } finally {
            Files.deleteIfExists(lib);
        }
    }
}

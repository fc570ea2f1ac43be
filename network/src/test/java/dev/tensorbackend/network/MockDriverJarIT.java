package dev.tensorbackend.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.tensorbackend.api.Tolerance;
import org.junit.jupiter.api.Test;

/**
 * The packaged network.jar as README.md runs it, on the real CUDA path with the mock NVIDIA
 * driver (backend-cuda/target/mock-driver/libcuda.so.1, our kernels run on the CPU) on
 * LD_LIBRARY_PATH: the documented pass on cuda prints the CPU's values, crosscheck passes,
 * and without the mock an explicit cuda still fails in one line with status 3. Skipped, with
 * the reason, where the mock was not built (no g++) or a real driver library is installed.
 */
class MockDriverJarIT {
    private static final Pattern NUMBER = Pattern.compile("-?\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?");

    record Run(int status, String out, String err) {
    }

    private static Path jar() {
        Path jar = Path.of(System.getProperty("network.jar", "target/network.jar"));
        assertTrue(Files.isRegularFile(jar), "no packaged jar at " + jar);
        return jar;
    }

    private static Path mockDirectory() {
        Path dir = Path.of(System.getProperty("mock.driver.dir", "../backend-cuda/target/mock-driver"));
        assumeTrue(Files.isRegularFile(dir.resolve("libcuda.so.1")), () -> "mock CUDA driver not built at " + dir
                + " (backend-cuda's build makes it with g++)");
        return dir;
    }

    /** java [-Dtensor.backend=...] -jar network.jar args, with LD_LIBRARY_PATH set to {@code libraryPath} (or unset). */
    private static Run run(String backend, Path libraryPath, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (backend != null) {
            command.add("-Dtensor.backend=" + backend);
        }
        command.addAll(List.of("-jar", jar().toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        Map<String, String> env = pb.environment();
        env.remove("TENSOR_BACKEND");
        if (libraryPath != null) {
            env.put("LD_LIBRARY_PATH", libraryPath.toAbsolutePath().toString());
        } else {
            env.remove("LD_LIBRARY_PATH");
        }
        Path out = Files.createTempFile("network-out", ".txt"), err = Files.createTempFile("network-err", ".txt");
        try {
            Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            int status = p.waitFor();
            return new Run(status, Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** The mock stands in for the driver, not for nvcc: without PTX the jar's cuda is unusable, rightly. */
    private static void assumeKernelsBuilt(Run r) {
        assumeTrue(!(r.status() == ExitStatus.BACKEND_UNUSABLE && r.err().contains("kernels not built")), r::err);
    }

    private static List<Double> numbers(String json) {
        List<Double> values = new ArrayList<>();
        Matcher m = NUMBER.matcher(json);
        while (m.find()) {
            values.add(Double.parseDouble(m.group()));
        }
        return values;
    }

    @Test
    void theDocumentedPassOnCudaPrintsTheCpuValues() throws Exception {
        Path mock = mockDirectory();
        Run cuda = run("cuda", mock, "--json");
        assumeKernelsBuilt(cuda);
        assertEquals(0, cuda.status(), cuda.err());
        assertTrue(cuda.out().contains("\"backend\":\"cuda\"") || cuda.out().contains("\"backend\": \"cuda\""), cuda.out());
        Run cpu = run("cpu", null, "--json");
        assertEquals(0, cpu.status(), cpu.err());
        // the same layout, value for value, within the crosscheck command's tolerance
        assertEquals(NUMBER.matcher(cpu.out().replace("\"cpu\"", "\"cuda\"")).replaceAll("#"),
                NUMBER.matcher(cuda.out()).replaceAll("#"), "the JSON layout");
        List<Double> expected = numbers(cpu.out()), actual = numbers(cuda.out());
        Tolerance tol = CrossCheckCommand.DOCUMENTED_PASS;
        for (int i = 0; i < expected.size(); i++) {
            double e = expected.get(i), a = actual.get(i);
            assertTrue(Math.abs(a - e) <= tol.atol() + tol.rtol() * Math.abs(e),
                    "value " + i + " of the documented pass: cpu " + e + ", cuda on the mock driver " + a);
        }
    }

    @Test
    void moreStepsAskTheDriverForNoMoreMemoryAndStatsPrintsOneLine() throws Exception {
        Path mock = mockDirectory();
        Run few = run("cuda", mock, "--steps", "3", "--stats");
        assumeKernelsBuilt(few);
        Run many = run("cuda", mock, "--steps", "60", "--stats");
        assertEquals(0, few.status(), few.err());
        assertEquals(0, many.status(), many.err());
        String fewLine = memoryLine(few.err()), manyLine = memoryLine(many.err());
        assertEquals(driverAllocations(fewLine), driverAllocations(manyLine), fewLine + " / " + manyLine);
        assertTrue(driverAllocations(fewLine) > 0, fewLine);
    }

    private static String memoryLine(String stderr) {
        List<String> lines = stderr.lines().filter(l -> l.startsWith("memory: ")).toList();
        assertEquals(1, lines.size(), stderr);
        assertTrue(lines.get(0).matches("memory: live=\\d+ cached=\\d+ peak=\\d+ driver_allocs=\\d+ driver_frees=\\d+"),
                lines.get(0));
        return lines.get(0);
    }

    private static long driverAllocations(String memoryLine) {
        Matcher m = Pattern.compile("driver_allocs=(\\d+)").matcher(memoryLine);
        assertTrue(m.find(), memoryLine);
        return Long.parseLong(m.group(1));
    }

    @Test
    void crosscheckPassesOnTheMockDriver() throws Exception {
        Run r = run(null, mockDirectory(), "crosscheck");
        assumeKernelsBuilt(r);
        assertEquals(ExitStatus.OK, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("PASS"), r.out());
        assertFalse(r.out().contains("FAIL"), r.out());
    }

    @Test
    void withoutTheMockAnExplicitCudaStillFailsInOneLineWithStatus3() throws Exception {
        assumeTrue(List.of("/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib")
                        .stream().noneMatch(d -> Files.exists(Path.of(d, "libcuda.so.1"))),
                "a real NVIDIA driver library is installed here");
        Run r = run("cuda", null);
        assertEquals(ExitStatus.BACKEND_UNUSABLE, r.status(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("libcuda.so.1 not found"), r.err());
    }
}

package dev.tensorbackend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kernel compiled by nvcc for sm_80 (A100) and sm_90 (H100, H200), as the build does for
 * the SASS in its fatbins, with ptxas reporting each kernel's resources: no kernel may spill
 * registers to local memory (for matmul a spill in the inner loop costs a large share of its
 * speed), and matmul_tile128 and matmul_warp128 must fit 128 registers, so that two of their
 * 256-thread blocks share a multiprocessor (their launch bounds ask for that, and ptxas would
 * spill rather than exceed it: the spill check is what catches it). The other warp-tiled
 * kernels run one block per multiprocessor and may use up to 255 registers, without spilling.
 * The direct convolution kernels for tiny filters and the fused softmax forward must fit 64, four
 * blocks of 256 threads per multiprocessor: they are bound by memory latency, which only many
 * threads (and rows) in flight hide.
 * Needs nvcc; skipped, with the reason, without it.
 */
class KernelRegisterSpillTest {
    static final List<String> ARCHES = List.of("sm_80", "sm_90");

    private static final Pattern ENTRY = Pattern.compile("Compiling entry function '(\\w+)' for '(\\w+)'");
    private static final Pattern SPILLS = Pattern.compile("(\\d+) bytes spill stores, (\\d+) bytes spill loads");
    private static final Pattern REGISTERS = Pattern.compile("Used (\\d+) registers");

    /** What ptxas -v says about one kernel. */
    record Usage(int registers, int spillStores, int spillLoads) {
    }

    @TempDir
    Path tmp;

    /** nvcc on the PATH, else in $CUDA_HOME/bin or /usr/local/cuda/bin. */
    static Optional<Path> nvcc() {
        List<Path> candidates = new ArrayList<>();
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                candidates.add(Path.of(dir, "nvcc"));
            }
        }
        String cudaHome = System.getenv("CUDA_HOME");
        if (cudaHome != null) {
            candidates.add(Path.of(cudaHome, "bin", "nvcc"));
        }
        candidates.add(Path.of("/usr/local/cuda/bin/nvcc"));
        return candidates.stream().filter(Files::isExecutable).findFirst();
    }

    /** Kernel name to its usage, parsed from ptxas -v's report. */
    static Map<String, Usage> parse(String report, String arch) {
        Map<String, Usage> usage = new LinkedHashMap<>();
        String kernel = null;
        int stores = -1, loads = -1;
        for (String line : report.split("\n")) {
            Matcher entry = ENTRY.matcher(line);
            if (entry.find()) {
                assertEquals(arch, entry.group(2), line);
                kernel = entry.group(1);
                stores = loads = -1;
                continue;
            }
            Matcher spills = SPILLS.matcher(line);
            if (kernel != null && spills.find()) {
                stores = Integer.parseInt(spills.group(1));
                loads = Integer.parseInt(spills.group(2));
            }
            Matcher registers = REGISTERS.matcher(line);
            if (kernel != null && registers.find()) {
                assertTrue(stores >= 0, "ptxas reported registers before spills for " + kernel + ":\n" + report);
                usage.put(kernel, new Usage(Integer.parseInt(registers.group(1)), stores, loads));
                kernel = null;
            }
        }
        return usage;
    }

    /** nvcc -cubin for one architecture with the build's options, and ptxas's -v report. */
    private String compile(Path nvcc, Path source, String arch) throws IOException, InterruptedException {
        String stem = source.getFileName().toString().replace(".cu", "");
        Path log = tmp.resolve(stem + "." + arch + ".log");
        Process p = new ProcessBuilder(nvcc.toString(), "-cubin", "-arch=" + arch, "-O3", "-std=c++17", "-Xptxas", "-v",
                source.toString(), "-o", tmp.resolve(stem + "." + arch + ".cubin").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "nvcc did not finish in 2 minutes");
        String report = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "nvcc " + arch + " " + source.getFileName() + " failed:\n" + report);
        return report;
    }

    @Test
    void noKernelSpillsRegistersOnSm80OrSm90() throws Exception {
        Optional<Path> nvcc = nvcc();
        assumeTrue(nvcc.isPresent(), "nvcc not found (PATH, $CUDA_HOME/bin, /usr/local/cuda/bin): register spills not checked");
        List<String> spilled = new ArrayList<>();
        for (String module : PtxResources.MODULES) {
            Path file = CudaSources.directory().resolve(module + ".cu");
            for (String arch : ARCHES) {
                Map<String, Usage> usage = parse(compile(nvcc.get(), file, arch), arch);
                assertEquals(CudaBackend.kernelsOf(module).stream().sorted().toList(),
                        usage.keySet().stream().sorted().toList(), module + ": kernels ptxas compiled for " + arch);
                for (Map.Entry<String, Usage> e : usage.entrySet()) {
                    Usage u = e.getValue();
                    System.out.printf("[ptxas %s] %-24s %3d registers, %d bytes spill stores, %d bytes spill loads%n",
                            arch, e.getKey(), u.registers(), u.spillStores(), u.spillLoads());
                    if (u.spillStores() > 0 || u.spillLoads() > 0) {
                        spilled.add(e.getKey() + " on " + arch + ": " + u);
                    }
                    if (e.getKey().equals(MatmulLauncher.TILE128) || e.getKey().equals(MatmulLauncher.WARP128)) {
                        assertTrue(u.registers() <= 128, e.getKey() + " on " + arch + " needs " + u.registers()
                                + " registers: two blocks of 256 threads no longer fit a multiprocessor");
                    }
                    if (e.getKey().equals(SoftmaxLauncher.FORWARD_FUSED)) {
                        assertTrue(u.registers() <= 64, e.getKey() + " on " + arch + " needs " + u.registers()
                                + " registers: four blocks of 256 threads no longer fit a multiprocessor");
                    }
                    if (e.getKey().startsWith("conv2d_") && e.getKey().contains("_direct")) {
                        assertTrue(u.registers() <= 64, e.getKey() + " on " + arch + " needs " + u.registers()
                                + " registers: four blocks of 256 threads no longer fit a multiprocessor");
                    }
                }
            }
        }
        assertTrue(spilled.isEmpty(), "kernels spill registers to local memory: " + spilled);
    }

    @Test
    void theReportParserReadsPtxasOutput() {
        String report = """
                ptxas info    : 0 bytes gmem
                ptxas info    : Compiling entry function 'matmul_tile64' for 'sm_90'
                ptxas info    : Function properties for matmul_tile64
                    0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
                ptxas info    : Used 93 registers, used 1 barriers, 8704 bytes smem
                ptxas info    : Compiling entry function 'matmul_tile128' for 'sm_90'
                ptxas info    : Function properties for matmul_tile128
                    40 bytes stack frame, 44 bytes spill stores, 168 bytes spill loads
                ptxas info    : Used 128 registers, used 1 barriers, 40 bytes cumulative stack size, 16896 bytes smem
                """;
        Map<String, Usage> usage = parse(report, "sm_90");
        assertEquals(new Usage(93, 0, 0), usage.get("matmul_tile64"));
        assertEquals(new Usage(128, 44, 168), usage.get("matmul_tile128"));
        assertFalse(usage.containsKey("gmem"));
    }
}

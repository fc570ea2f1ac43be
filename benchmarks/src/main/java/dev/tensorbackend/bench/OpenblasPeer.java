package dev.tensorbackend.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether OpenBLAS can be measured here, asked without compiling against JavaCPP: its benchmark
 * and {@code Openblas} live in src/openblas/java and are built only under -Pbench, where the
 * presets' jars are on the class path. A plain build has neither, and the report says OpenBLAS
 * did not run.
 *
 * <p>The probe runs in a JVM of its own ({@code Openblas.main}) with {@code OPENBLAS_VERBOSE=2},
 * for two reasons: OpenBLAS names the core it picked for this CPU ("Core: Cooperlake") only on
 * stderr and only when that variable is set as it loads, which this JVM cannot do for itself;
 * and OpenBLAS's threads stay out of the JVM that runs the suite.
 */
final class OpenblasPeer {
    static final String LIBRARY_CLASS = "org.bytedeco.openblas.global.openblas_nolapack";
    static final String PROBE_CLASS = "dev.tensorbackend.bench.Openblas";
    static final String BUILT_WITHOUT = "the benchmarks were built without it (it comes with -Pbench)";
    /** The probe's line on stdout: this, then the description or the reason. */
    static final String PROBE_OK = "openblas probe: ";
    static final String PROBE_FAILED = "openblas probe failed: ";
    /** Forces OpenBLAS's kernels instead of those it picks for this CPU; read by the forks as they load it. */
    static final String CORETYPE = "OPENBLAS_CORETYPE";
    /** Overrides the cache size OpenBLAS blocks for; also read by the forks. */
    static final String L2_SIZE = "OPENBLAS_L2_SIZE";

    /** How a "not run" reason starts when the probe's JVM ran but OpenBLAS did not load or multiply right. */
    static final String PROBE_FAILS = "its probe (loading it and checking small products) failed: ";
    private static final Pattern CORE = Pattern.compile("^Core: (\\S+)", Pattern.MULTILINE);
    private static final long PROBE_TIMEOUT_S = 120;

    private OpenblasPeer() {
    }

    /** Whether the benchmarks were built with OpenBLAS, then what it is in a JVM of its own (or why not). */
    static PeerStatus probe() {
        ClassLoader loader = OpenblasPeer.class.getClassLoader();
        try {
            // the presets first (not initialised: that would load the native library here); a plain
            // build after a -Pbench one may still hold the compiled Openblas class
            Class.forName(LIBRARY_CLASS, false, loader);
            Class.forName(PROBE_CLASS, false, loader);
        } catch (ClassNotFoundException e) {
            return PeerStatus.notRun(BUILT_WITHOUT);
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path")));
        String threads = System.getProperty(CpuThreads.PROPERTY);
        if (threads != null) {
            command.add("-D" + CpuThreads.PROPERTY + "=" + threads);
        }
        command.add(PROBE_CLASS);
        Path log = null;
        try {
            log = Files.createTempFile("openblas-probe", ".txt");
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put("OPENBLAS_VERBOSE", "2");
            Process p = pb.start();
            if (!p.waitFor(PROBE_TIMEOUT_S, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return PeerStatus.notRun(PROBE_FAILS + "it did not finish in " + PROBE_TIMEOUT_S + " s");
            }
            return fromProbe(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8), System.getenv());
        } catch (IOException e) {
            return PeerStatus.notRun(PROBE_FAILS + "it did not start: " + PeerStatus.oneLine(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return PeerStatus.notRun(PROBE_FAILS + "interrupted");
        } finally {
            if (log != null) {
                try {
                    Files.deleteIfExists(log);
                } catch (IOException e) {
                    // a temporary file left behind
                }
            }
        }
    }

    /**
     * The status from the probe's exit status and output (its own line, OpenBLAS's "Core: ..."
     * on stderr): the description with the core appended, and what the environment forces.
     */
    static PeerStatus fromProbe(int exit, String output, Map<String, String> env) {
        String ok = null;
        String failed = null;
        String last = null;
        for (String line : output.split("\\R")) {
            if (line.startsWith(PROBE_OK)) {
                ok = line.substring(PROBE_OK.length()).trim();
            } else if (line.startsWith(PROBE_FAILED)) {
                failed = line.substring(PROBE_FAILED.length()).trim();
            }
            if (!line.isBlank()) {
                last = line.trim();
            }
        }
        if (exit != 0 || ok == null) {
            String why = failed != null ? failed : last != null ? last : "exit status " + exit;
            return PeerStatus.notRun(PROBE_FAILS + why);
        }
        Matcher core = CORE.matcher(output);
        StringBuilder d = new StringBuilder(ok).append(", core ")
                .append(core.find() ? core.group(1) : "not named (OpenBLAS printed no 'Core:' line)");
        d.append(env.containsKey(CORETYPE) ? " (forced by " + CORETYPE + "=" + env.get(CORETYPE) + " in the environment)"
                : " (OpenBLAS's choice for this CPU)");
        if (env.containsKey(L2_SIZE)) {
            d.append(", ").append(L2_SIZE).append('=').append(env.get(L2_SIZE)).append(" set in the environment");
        }
        return PeerStatus.measured(d.toString());
    }
}

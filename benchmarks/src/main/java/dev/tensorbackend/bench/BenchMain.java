package dev.tensorbackend.bench;

import dev.tensorbackend.api.Backend;
import dev.tensorbackend.api.BackendException;
import dev.tensorbackend.api.BackendProvider;
import dev.tensorbackend.api.Backends;
import dev.tensorbackend.api.Shape;
import dev.tensorbackend.api.Tensor;
import dev.tensorbackend.bench.report.ReportWriter;
import dev.tensorbackend.network.ExitStatus;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The whole suite in one command ({@code mvn -pl benchmarks -am verify -Pbench} runs it):
 * picks the backends, leaves out the unusable ones with their reason, runs JMH class by
 * class with its progress on stdout, merges JMH's JSON into {@code jmh-result.json} and
 * writes the report.
 *
 * <p>System properties: {@code tensor.backend} (cpu, cuda, or a comma list; blank, all
 * or auto means every backend on the class path), {@code bench.full} (every size with the
 * annotations' warm-up and iterations, instead of the quick set), {@code bench.only}
 * (comma list of benchmark class name parts, e.g. {@code matmul,softmax}; {@code pytorch}
 * selects PyTorch's, {@code openblas} OpenBLAS's), {@code bench.requirePytorch} and
 * {@code bench.requireOpenblas} (fail unless that peer was measured: the smoke checks of the
 * peers), {@code tensor.cpu.threads} (our CPU backend's threads, PyTorch's and OpenBLAS's,
 * default every processor).
 *
 * <p>Exit statuses are the project's one table ({@link ExitStatus}): 2 when shadowing is asked
 * for, 3 for an unknown backend, 1 when a benchmark did not complete.
 */
public final class BenchMain {
    /** Quick mode: enough to rank the backends, not to resolve a few per cent. */
    private static final int QUICK_WARMUP_ITERATIONS = 1;
    private static final int QUICK_MEASUREMENT_ITERATIONS = 2;
    private static final TimeValue QUICK_ITERATION_TIME = TimeValue.milliseconds(1000);
    private static final String[] FORK_JVM_ARGS = {"--add-modules", "jdk.incubator.vector"};

    private static final String REFERENCE = "reference";
    /** {@code -Dbench.requirePytorch=true}: fail (status 1) unless PyTorch was measured. */
    static final String REQUIRE_PYTORCH = "bench.requirePytorch";
    /** {@code -Dbench.requireOpenblas=true}: fail (status 1) unless OpenBLAS was measured. */
    static final String REQUIRE_OPENBLAS = "bench.requireOpenblas";
    private static final String MEASURED = " measured: ";
    private static final String NOT_RUN = " not run: ";
    /** The peers' benchmark classes (built under -Pbench) are named by these prefixes. */
    private static final String PYTORCH_CLASSES = "Pytorch";
    private static final String OPENBLAS_CLASSES = "Openblas";
    /** Why no peer of the CPU backend runs without it. */
    private static final String NO_CPU = "it is compared with the cpu backend, which is not measured";

    private BenchMain() {
    }

    /**
     * Written into the output folder with the one-line reason when the suite fails, so that the
     * Maven build (benchmarks/pom.xml) can fail with that line instead of the exec plugin's stack trace.
     */
    public static final String FAILURE_FILE = "bench-failure.txt";

    public static void main(String[] args) throws IOException {
        Path outDir = Path.of(args.length > 0 ? args[0] : "target");
        Files.createDirectories(outDir);
        Files.deleteIfExists(outDir.resolve(FAILURE_FILE));
        String refusal = BenchBackends.shadowRefusal();
        if (refusal != null) {
            fail(outDir, ExitStatus.USAGE, "bench: " + refusal);
            return;
        }
        boolean full = Boolean.getBoolean("bench.full");
        List<String> notes = runNotes(full);

        List<BackendProvider> providers = Backends.providers();
        notes.add("backends on the class path: " + providers.stream().map(BackendProvider::name)
                .sorted(BenchMain::cpuFirst).collect(Collectors.joining(", ")));
        List<String> backends;
        try {
            backends = usableBackends(System.getProperty(Backends.PROPERTY, ""), providers, notes);
        } catch (BackendException e) {
            fail(outDir, ExitStatus.BACKEND_UNUSABLE, "bench: " + e.getMessage());
            return;
        }
        boolean cublas = backends.contains("cuda") && cublasLoads(notes);
        notes.add("backends measured: " + (backends.isEmpty() ? "none" : String.join(", ", backends)));
        if (backends.contains("cpu")) {
            notes.add("cpu kernels: " + cpuKernels());
        }

        List<String> only = split(System.getProperty("bench.only", ""));
        // PyTorch is compared with the CPU backend only: without it there is nothing to load
        PeerStatus torch = backends.contains("cpu") ? PytorchPeer.probe() : PeerStatus.notRun(NO_CPU);
        PeerStatus blas = backends.contains("cpu") ? OpenblasPeer.probe() : PeerStatus.notRun(NO_CPU);
        List<BenchPlan.Run> runs = BenchPlan.runs(backends, full, cublas, torch.usable(), blas.usable(), only);
        if (runs.isEmpty()) {
            System.out.println("bench: nothing to run (backends: " + backends + ", bench.only: " + only + ")");
        }
        List<String> failed = new ArrayList<>();
        List<Path> results = runAll(runs, full, outDir.resolve("jmh-parts"), failed);
        List<String> peers = peersThatRan(runs, failed);
        notes.add("peers measured: " + (peers.isEmpty() ? "none" : String.join(", ", peers)));
        String torchLine = pytorchLine(torch, runs, failed);
        System.out.println("bench: " + torchLine);
        notes.add(torchLine);
        String blasLine = openblasLine(blas, runs, failed);
        System.out.println("bench: " + blasLine);
        notes.add(blasLine);
        if (!failed.isEmpty()) {
            notes.add("FAILED (see the JMH output): " + String.join(", ", failed));
        }

        Path jmhJson = outDir.resolve("jmh-result.json");
        Files.writeString(jmhJson, JmhJsonMerge.merge(results));
        int count = ReportWriter.write(jmhJson, outDir, notes, System.out).size();
        System.out.println("\n" + Files.readString(outDir.resolve(ReportWriter.MARKDOWN_FILE)));
        System.out.println("bench: " + count + " measurements; JMH JSON " + jmhJson + "; report "
                + outDir.resolve(ReportWriter.MARKDOWN_FILE) + ", " + outDir.resolve(ReportWriter.JSON_FILE)
                + ", charts " + outDir.resolve(ReportWriter.SVG_FILE) + " (and .png), " + outDir.resolve(ReportWriter.SPEEDUP_SVG_FILE)
                + " (and .png)");
        // the smoke checks README gives: the peer must have run, not merely been named as not run
        if (Boolean.getBoolean(REQUIRE_PYTORCH) && !torchLine.startsWith("PyTorch" + MEASURED)) {
            fail(outDir, ExitStatus.CHECK_FAILED, "bench: " + REQUIRE_PYTORCH + " is set but " + torchLine);
        }
        if (Boolean.getBoolean(REQUIRE_OPENBLAS) && !blasLine.startsWith("OpenBLAS" + MEASURED)) {
            fail(outDir, ExitStatus.CHECK_FAILED, "bench: " + REQUIRE_OPENBLAS + " is set but " + blasLine);
        }
        if (!failed.isEmpty()) {
            fail(outDir, ExitStatus.CHECK_FAILED, "bench: " + failed.size() + " benchmark run(s) failed (their JMH output is above): "
                    + String.join(", ", failed));
        }
    }

    /** The one line on stderr and in {@link #FAILURE_FILE}, then the exit status. */
    private static void fail(Path outDir, int status, String line) throws IOException {
        System.err.println(line);
        Files.writeString(outDir.resolve(FAILURE_FILE), line + System.lineSeparator());
        System.exit(status);
    }

    /**
     * The established libraries measured beside our backends, only those whose runs were planned
     * (bench.only and the backends decide) and completed: the report must not name a peer that
     * did not run.
     */
    static List<String> peersThatRan(List<BenchPlan.Run> runs, List<String> failed) {
        List<String> peers = runs.stream()
                .filter(r -> r.benchmarkClass().equals("EjmlMatmulBench") && !failed.contains(r.title()))
                .map(r -> "EJML " + ejmlVersion() + " (matmul on the CPU)")
                .collect(Collectors.toCollection(ArrayList::new));
        if (runs.stream().anyMatch(r -> isPytorch(r) && !failed.contains(r.title()))) {
            peers.add("PyTorch " + version("pytorch.version") + " through DJL " + version("djl.version") + " (CPU)");
        }
        if (runs.stream().anyMatch(r -> r.benchmarkClass().startsWith(OPENBLAS_CLASSES) && !failed.contains(r.title()))) {
            peers.add("OpenBLAS " + version("openblas.version") + " through JavaCPP presets " + version("javacpp.version")
                    + " (matmul on the CPU)");
        }
        return peers.stream()
                .distinct()
                .collect(Collectors.toList());
    }

    /**
     * The report's one line on PyTorch: what it was and its thread count when it ran, else why
     * it did not (never silent: a reader looks for the ours/PyTorch column).
     */
    static String pytorchLine(PeerStatus torch, List<BenchPlan.Run> runs, List<String> failed) {
        return peerLine("PyTorch", PYTORCH_CLASSES, torch, runs, failed);
    }

    /**
     * The report's one line on OpenBLAS: its version, thread count and the core it picked when it
     * ran, else why it did not (a reader looks for the ours/OpenBLAS column).
     */
    static String openblasLine(PeerStatus blas, List<BenchPlan.Run> runs, List<String> failed) {
        return peerLine("OpenBLAS", OPENBLAS_CLASSES, blas, runs, failed);
    }

    /**
     * A peer's line in the notes: "{@code peer} measured: " and its description when any of its
     * runs (benchmark classes named {@code classPrefix}...) completed, else "{@code peer} not run: "
     * and why.
     */
    static String peerLine(String peer, String classPrefix, PeerStatus status, List<BenchPlan.Run> runs,
                           List<String> failed) {
        if (!status.usable()) {
            return peer + NOT_RUN + status.whyNot();
        }
        List<String> planned = runs.stream().filter(r -> r.benchmarkClass().startsWith(classPrefix))
                .map(BenchPlan.Run::title).toList();
        if (planned.isEmpty()) {
            return peer + NOT_RUN + "bench.only selects none of its benchmarks";
        }
        if (failed.containsAll(planned)) {
            return peer + NOT_RUN + "all its benchmarks failed (see the JMH output)";
        }
        return peer + MEASURED + status.description();
    }

    private static boolean isPytorch(BenchPlan.Run r) {
        return r.benchmarkClass().startsWith(PYTORCH_CLASSES);
    }

    /** Where and how the numbers were taken: the report's first lines. */
    private static List<String> runNotes(boolean full) {
        List<String> notes = new ArrayList<>();
        notes.add("date: " + ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")));
        notes.add("machine: " + Machine.cpu());
        // the collector matters to our kernels' speed (docs/cpu-performance-log.md: the filter
        // gradient under G1), and the JMH forks start from the same defaults as this JVM
        String collectors = ManagementFactory.getGarbageCollectorMXBeans().stream()
                .map(GarbageCollectorMXBean::getName).collect(Collectors.joining(", "));
        notes.add("JDK: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + "; garbage collector: " + collectors + " (the forks use the same JVM's default)");
        notes.add("mode: " + (full
                ? "full (every size; warm-up and iterations as in the benchmark annotations)"
                : "quick (reduced sizes; " + QUICK_WARMUP_ITERATIONS + " warm-up and " + QUICK_MEASUREMENT_ITERATIONS
                        + " measured iterations of " + QUICK_ITERATION_TIME + ", 1 fork; -Dbench.full=true for every size)"));
        return notes;
    }

    /**
     * Runs JMH once per planned run, each writing its JSON into {@code partsDir}; returns the
     * files of the runs that completed and adds the titles of the others to {@code failed}.
     */
    private static List<Path> runAll(List<BenchPlan.Run> runs, boolean full, Path partsDir, List<String> failed)
            throws IOException {
        Files.createDirectories(partsDir);
        try (var old = Files.newDirectoryStream(partsDir, "*.json")) {
            for (Path p : old) {
                Files.delete(p); // a previous run's results must not pass for this one's
            }
        }
        List<Path> results = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            BenchPlan.Run run = runs.get(i);
            Path result = partsDir.resolve(String.format(Locale.ROOT, "%02d-%s.json", i, run.benchmarkClass()
                    + run.params().getOrDefault("backend", new String[] {""})[0]));
            System.out.println("\n==== bench " + (i + 1) + "/" + runs.size() + ": " + run.title() + " ====");
            try {
                new Runner(options(run, full, result)).run();
                results.add(result);
            } catch (RunnerException e) {
                System.out.println("bench: " + run.title() + " FAILED: " + e.getMessage());
                failed.add(run.title());
            }
        }
        return results;
    }

    private static org.openjdk.jmh.runner.options.Options options(BenchPlan.Run run, boolean full, Path result) {
        ChainedOptionsBuilder o = new OptionsBuilder()
                .include(run.includeRegex())
                .jvmArgsAppend(FORK_JVM_ARGS)
                .shouldFailOnError(true)
                .resultFormat(ResultFormatType.JSON)
                .result(result.toString());
        for (Map.Entry<String, String[]> p : run.params().entrySet()) {
            o.param(p.getKey(), p.getValue());
        }
        if (!full) {
            o.forks(1)
                    .warmupIterations(QUICK_WARMUP_ITERATIONS)
                    .warmupTime(QUICK_ITERATION_TIME)
                    .measurementIterations(QUICK_MEASUREMENT_ITERATIONS)
                    .measurementTime(QUICK_ITERATION_TIME);
        }
        return o.build();
    }

    /**
     * The requested backends that can run here. By default (every backend on the class path) an
     * unusable one is left out with its reason on stdout and in the report's notes; one asked
     * for by name that cannot run fails at once with its reason, and so does an unknown name,
     * listing the known ones.
     */
    static List<String> usableBackends(String requested, List<BackendProvider> providers, List<String> notes) {
        List<String> names = split(requested);
        boolean explicit = !(names.isEmpty() || names.equals(List.of("all")) || names.equals(List.of(Backends.AUTO)));
        if (!explicit) {
            // the reference backend's plain loops take minutes per large call: measured only when named
            names = providers.stream().map(BackendProvider::name).filter(n -> !n.equals(REFERENCE))
                    .sorted(BenchMain::cpuFirst).collect(Collectors.toList());
        }
        List<String> usable = new ArrayList<>();
        for (String name : names) {
            BackendProvider.Availability a = Backends.provider(name, providers).availability();
            if (a.usable()) {
                usable.add(name);
            } else if (explicit) {
                throw new BackendException("backend " + name + " cannot run here: " + a.reason());
            } else {
                String why = "backend " + name + " left out: " + a.reason();
                System.out.println("bench: " + why);
                notes.add(why);
            }
        }
        return usable;
    }

    /**
     * Whether CUDA runs a matmul with cuBLAS selected: creates the backend as the benchmark
     * will and multiplies 2x2 matrices. Where it fails, the cuBLAS variant is left out with
     * the reason; our own kernel is still measured.
     */
    private static boolean cublasLoads(List<String> notes) {
        String before = System.getProperty(BenchBackends.CUDA_MATMUL_PROPERTY);
        try (Backend cuda = BenchBackends.open("cuda", "cublas");
             Tensor a = cuda.upload(Shape.of(2, 2), new float[] {1, 2, 3, 4});
             Tensor c = cuda.matmul(a, a)) {
            float[] v = cuda.download(c);
            if (v[0] != 7 || v[3] != 22) {
                throw new IllegalStateException("2x2 product came back wrong: " + Arrays.toString(v));
            }
            Optional<String> path = matmulPath(cuda);
            if (path.isPresent() && !path.get().equals("cublas")) {
                throw new IllegalStateException("the cuda backend multiplies with '" + path.get()
                        + "' although cublas was asked for (its reason is printed above)");
            }
            return true;
        } catch (RuntimeException e) {
            String why = "cuBLAS variant left out: " + e.getMessage();
            System.out.println("bench: " + why);
            notes.add(why);
            return false;
        } finally {
            if (before == null) {
                System.clearProperty(BenchBackends.CUDA_MATMUL_PROPERTY);
            } else {
                System.setProperty(BenchBackends.CUDA_MATMUL_PROPERTY, before);
            }
        }
    }

    /**
     * The matmul a backend says it chose, from its public {@code matmulPath()} where it has one.
     * The Backend API does not say whether CUDA fell back from cuBLAS to its own kernel (it
     * does so with a message on stderr), and a "cuBLAS" column measured on our kernel would
     * be a false label. Looked up by name, so that this module does not compile against a
     * backend's classes.
     */
    static Optional<String> matmulPath(Object backend) {
        try {
            return Optional.of(String.valueOf(backend.getClass().getMethod("matmulPath").invoke(backend)));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * The CPU backend's kernel set as it describes itself ({@code CpuBackend.kernels()}, looked
     * up by name like {@link #matmulPath}): its vector width depends on the CPU and on
     * {@code -Dtensor.cpu.vectorBits}, so a report must say which ran.
     */
    static String cpuKernels() {
        try (Backend cpu = BenchBackends.open("cpu")) {
            return String.valueOf(cpu.getClass().getMethod("kernels").invoke(cpu));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return "(not known: " + PeerStatus.oneLine(e) + ")";
        }
    }

    private static int cpuFirst(String a, String b) {
        return a.equals("cpu") ? -1 : b.equals("cpu") ? 1 : a.compareTo(b);
    }

    private static List<String> split(String commaList) {
        return Arrays.stream(commaList.split(","))
                .map(s -> s.trim().toLowerCase(Locale.ROOT))
                .filter(s -> !s.isEmpty())
                .collect(Collectors.toList());
    }

    /** The EJML version the POM pins, as Maven wrote it into versions.properties. */
    static String ejmlVersion() {
        return version("ejml.version");
    }

    /** A version the POM pins (ejml.version, djl.version, pytorch.version, openblas.version...), from versions.properties. */
    static String version(String key) {
        java.util.Properties p = new java.util.Properties();
        try (var in = BenchMain.class.getResourceAsStream("versions.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // the version is only named in the report's notes
        }
        return p.getProperty(key, "(version unknown)");
    }
}

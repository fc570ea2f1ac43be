package dev.tensorbackend.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which JMH runs the suite makes, in order: one run per benchmark class and backend, so
 * each gets its own sizes and methods. The CPU is measured kernel-only (its data is
 * already where it computes); other backends also end-to-end; cuBLAS only on CUDA and
 * where it loads; EJML whenever the CPU is measured, and PyTorch and OpenBLAS (kernel-only,
 * the same sizes; OpenBLAS matmul only) whenever the CPU is measured and they load; a plain
 * array copy of the softmax sizes beside the CPU's softmax, its bandwidth ceiling.
 *
 * <p>Quick mode leaves out every size that takes the plain-loop CPU backend more than a
 * few seconds per call (matmul 2048 and up, the large convolution, softmax 8192, the large
 * training step), so the suite fits a few minutes on two cores.
 */
public final class BenchPlan {

    /** One JMH invocation: a benchmark class, the methods to run (a regex), and parameters. */
    public record Run(String title, String benchmarkClass, String methods, Map<String, String[]> params) {
        /** The JMH include pattern: exactly these methods of exactly this class. */
        public String includeRegex() {
            return "^" + BenchPlan.class.getPackageName().replace(".", "\\.") + "\\." + benchmarkClass
                    + "\\.(" + methods + ")$";
        }
    }

    static final String ALL_METHODS = "\\w+";
    static final String KERNEL_ONLY_METHODS = "\\w*(kernelOnly|KernelOnly)";

    static final String[] MATMUL_QUICK = {"64", "128", "256", "512", "1024", "qkt-8x64x32", "av-8x64x32",
            "tall-16384x64x64", "tallbt-16384x64x64", "wgrad-64x16384x64"};
    static final String[] MATMUL_FULL = {"64", "128", "256", "512", "1024", "2048", "4096",
            "qkt-8x64x32", "av-8x64x32", "qkt-32x512x64", "av-32x512x64",
            "tall-16384x64x64", "tallbt-16384x64x64", "wgrad-64x16384x64"};
    static final String[] CONV_QUICK = {"documented", "mid", "mid-b1"};
    static final String[] CONV_FULL = {"documented", "mid", "mid-b1", "large"};
    static final String[] SOFTMAX_QUICK = {"1024", "2048", "4096"};
    static final String[] SOFTMAX_FULL = {"1024", "2048", "4096", "8192"};
    static final String[] TRAIN_QUICK = {"documented", "small"};
    static final String[] TRAIN_FULL = {"documented", "small", "large"};

    private BenchPlan() {
    }

    /**
     * @param backends the usable backends to measure, in report order
     * @param cublas whether cuBLAS loads on CUDA
     * @param only substrings of class names to keep (case-insensitive); empty keeps all
     */
    public static List<Run> runs(List<String> backends, boolean full, boolean cublas, List<String> only) {
        return runs(backends, full, cublas, false, only);
    }

    /**
     * @param pytorch whether PyTorch loads here (see {@link PytorchPeer}); it runs only beside the
     *     CPU backend, the one it is compared with
     */
    public static List<Run> runs(List<String> backends, boolean full, boolean cublas, boolean pytorch, List<String> only) {
        return runs(backends, full, cublas, pytorch, false, only);
    }

    /**
     * @param openblas whether OpenBLAS loads here (see {@link OpenblasPeer}); like PyTorch, it runs
     *     only beside the CPU backend, in a JMH run (and so forks) of its own
     */
    public static List<Run> runs(List<String> backends, boolean full, boolean cublas, boolean pytorch, boolean openblas,
                                 List<String> only) {
        List<Run> runs = new ArrayList<>();
        boolean torch = pytorch && backends.contains("cpu");
        boolean blas = openblas && backends.contains("cpu");
        String[] matmul = full ? MATMUL_FULL : MATMUL_QUICK;
        for (String b : backends) {
            runs.add(backendRun("MatmulBench", b, Map.of("size", matmul)));
        }
        if (cublas && backends.contains("cuda")) {
            runs.add(backendRun("CublasMatmulBench", "cuda", Map.of("size", matmul)));
        }
        if (backends.contains("cpu")) {
            runs.add(new Run("EJML matmul", "EjmlMatmulBench", ALL_METHODS, Map.of("size", squareOnly(matmul))));
        }
        if (torch) {
            runs.add(pytorchRun("PytorchMatmulBench", Map.of("size", matmul)));
        }
        if (blas) {
            // no backend parameter; its one method, kernelOnly, pairs with the cpu kernelOnly rows
            runs.add(new Run("OpenBLAS matmul", "OpenblasMatmulBench", KERNEL_ONLY_METHODS, Map.of("size", matmul)));
        }
        for (String b : backends) {
            runs.add(backendRun("Conv2dBench", b, Map.of("shape", full ? CONV_FULL : CONV_QUICK)));
        }
        if (torch) {
            runs.add(pytorchRun("PytorchConv2dBench", Map.of("shape", full ? CONV_FULL : CONV_QUICK)));
        }
        for (String b : backends) {
            runs.add(backendRun("SoftmaxBench", b, Map.of("size", full ? SOFTMAX_FULL : SOFTMAX_QUICK)));
        }
        if (torch) {
            runs.add(pytorchRun("PytorchSoftmaxBench", Map.of("size", full ? SOFTMAX_FULL : SOFTMAX_QUICK)));
        }
        if (backends.contains("cpu")) { // the bandwidth ceiling the CPU's softmax is compared with
            runs.add(new Run("array copy (softmax's bandwidth ceiling)", "SoftmaxCopyBench", ALL_METHODS,
                    Map.of("size", full ? SOFTMAX_FULL : SOFTMAX_QUICK)));
        }
        for (String b : backends) {
            runs.add(backendRun("TrainStepBench", b, Map.of("config", full ? TRAIN_FULL : TRAIN_QUICK)));
        }
        if (torch) {
            runs.add(pytorchRun("PytorchTrainStepBench", Map.of("config", full ? TRAIN_FULL : TRAIN_QUICK)));
        }
        if (only.isEmpty()) {
            return runs;
        }
        List<Run> kept = new ArrayList<>();
        for (Run r : runs) {
            String cls = r.benchmarkClass().toLowerCase(Locale.ROOT);
            if (only.stream().anyMatch(o -> cls.contains(o.toLowerCase(Locale.ROOT)))) {
                kept.add(r);
            }
        }
        return kept;
    }

    private static Run backendRun(String benchmarkClass, String backend, Map<String, String[]> sizes) {
        Map<String, String[]> params = new LinkedHashMap<>();
        params.put("backend", new String[] {backend});
        params.putAll(sizes);
        String methods = backend.equals("cpu") ? KERNEL_ONLY_METHODS : ALL_METHODS;
        return new Run(benchmarkClass.replace("Bench", "") + " on " + backend, benchmarkClass, methods, params);
    }

    /** PyTorch's classes take no backend parameter and have only kernel-only methods. */
    private static Run pytorchRun(String benchmarkClass, Map<String, String[]> sizes) {
        return new Run("PyTorch " + benchmarkClass.replace("Pytorch", "").replace("Bench", ""), benchmarkClass,
                KERNEL_ONLY_METHODS, sizes);
    }

    private static String[] squareOnly(String[] sizes) {
        return java.util.Arrays.stream(sizes).filter(s -> s.chars().allMatch(Character::isDigit)).toArray(String[]::new);
    }
}

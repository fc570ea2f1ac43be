package dev.tensorbackend.bench.report;

import java.util.List;
import java.util.Map;

/**
 * One line of the chart and one column of a table: a backend measured one way. The
 * variants are fixed words (see {@link BenchmarkCatalog}); {@link #ORDER} lists the series
 * in the order a reader compares them.
 */
public record Series(String backend, String variant) {

    public static final String KERNEL_ONLY = "kernel-only";
    public static final String END_TO_END = "end-to-end";
    public static final String CUBLAS_KERNEL_ONLY = "cublas kernel-only";
    public static final String CUBLAS_END_TO_END = "cublas end-to-end";
    public static final String SINGLE_THREAD = "single-thread";
    public static final String MULTI_THREAD = "multi-thread";

    public static final Series CPU = new Series("cpu", KERNEL_ONLY);
    public static final Series CUDA = new Series("cuda", KERNEL_ONLY);
    public static final Series CUDA_E2E = new Series("cuda", END_TO_END);
    public static final Series CUBLAS = new Series("cuda", CUBLAS_KERNEL_ONLY);
    public static final Series CUBLAS_E2E = new Series("cuda", CUBLAS_END_TO_END);
    public static final Series EJML_1T = new Series("ejml", SINGLE_THREAD);
    public static final Series EJML_MT = new Series("ejml", MULTI_THREAD);
    /** PyTorch (through DJL) on the CPU, operands resident as NDArrays. */
    public static final Series PYTORCH = new Series("pytorch", KERNEL_ONLY);
    /** OpenBLAS's sgemm (through JavaCPP) on the CPU, operands and output resident in native memory. */
    public static final Series OPENBLAS = new Series("openblas", KERNEL_ONLY);

    /**
     * A plain Java array copy on as many threads as the CPU backend uses, into an array
     * allocated once: the memory bandwidth the softmax passes are measured against.
     */
    public static final Series COPY = new Series("copy", KERNEL_ONLY);

    static final List<Series> ORDER = List.of(CPU, CUDA, CUDA_E2E, CUBLAS, CUBLAS_E2E, EJML_1T, EJML_MT, PYTORCH,
            OPENBLAS, COPY, new Series("cpu", END_TO_END));

    /** How the peers measured kernel-only are named in a column title; our backends keep their own names. */
    private static final Map<String, String> PEER_NAMES = Map.of(PYTORCH.backend(), "PyTorch", OPENBLAS.backend(), "OpenBLAS",
            COPY.backend(), "array copy");

    /**
     * Short column title: kernel-only is the plain backend name, end-to-end adds "e2e",
     * e.g. "cuda", "cuda e2e", "cuda cuBLAS", "EJML 1T".
     */
    public String label() {
        switch (variant) {
            case KERNEL_ONLY: return PEER_NAMES.getOrDefault(backend, backend);
            case END_TO_END: return backend + " e2e";
            case CUBLAS_KERNEL_ONLY: return backend + " cuBLAS";
            case CUBLAS_END_TO_END: return backend + " cuBLAS e2e";
            case SINGLE_THREAD: return backend.equals("ejml") ? "EJML 1T" : backend + " 1T";
            case MULTI_THREAD: return backend.equals("ejml") ? "EJML MT" : backend + " MT";
            default: return backend + " " + variant;
        }
    }

    /** Position in {@link #ORDER}; unknown series come after, in name order. */
    int rank() {
        int i = ORDER.indexOf(this);
        return i >= 0 ? i : ORDER.size();
    }
}

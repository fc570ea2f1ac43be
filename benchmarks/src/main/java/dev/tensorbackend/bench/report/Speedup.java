package dev.tensorbackend.bench.report;

import java.util.List;

/** A speedup column: throughput of one series over another at the same size. */
record Speedup(String title, Series over, Series under) {

    /** The comparisons the report makes wherever both sides were measured. */
    static final List<Speedup> ALL = List.of(
            new Speedup("CUDA/CPU", Series.CUDA, Series.CPU),
            new Speedup("CUDA e2e/CPU", Series.CUDA_E2E, Series.CPU),
            new Speedup("kernel/cuBLAS", Series.CUDA, Series.CUBLAS),
            new Speedup("ours/EJML 1T", Series.CPU, Series.EJML_1T),
            new Speedup("ours/EJML MT", Series.CPU, Series.EJML_MT),
            new Speedup("ours/PyTorch", Series.CPU, Series.PYTORCH),
            new Speedup("ours/OpenBLAS", Series.CPU, Series.OPENBLAS),
            new Speedup("ours/copy", Series.CPU, Series.COPY));
}

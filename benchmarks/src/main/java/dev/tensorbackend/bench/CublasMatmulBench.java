package dev.tensorbackend.bench;

/**
 * The same matrix multiplies as {@link MatmulBench} on CUDA with cuBLAS SGEMM, so that
 * our kernel and cuBLAS stand side by side in one report. Run only for CUDA, and only
 * where cuBLAS loads ({@link BenchMain} checks first).
 */
public class CublasMatmulBench extends MatmulBench {
    @Override
    protected String cudaMatmul() {
        return "cublas";
    }
}

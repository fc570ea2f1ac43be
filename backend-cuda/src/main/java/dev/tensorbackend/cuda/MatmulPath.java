package dev.tensorbackend.cuda;

import java.util.Locale;

import dev.tensorbackend.api.BackendException;

/** Which code multiplies matrices, chosen by {@code -Dtensor.cuda.matmul} when the backend is created. */
enum MatmulPath {
    /** Our own tiled kernel, matmul.cu (the default). */
    KERNEL,
    /** cuBLAS SGEMM in strict FP32, when libcublas.so.12 loads; else KERNEL, said once on stderr. */
    CUBLAS;

    static MatmulPath parse(String value) {
        if (value == null || value.isBlank()) {
            return KERNEL;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "kernel" -> KERNEL;
            case "cublas" -> CUBLAS;
            default -> throw new BackendException(CudaBackend.MATMUL_PROPERTY + ": unknown value '" + value
                    + "'; use kernel or cublas");
        };
    }
}

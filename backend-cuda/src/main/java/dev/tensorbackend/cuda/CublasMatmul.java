package dev.tensorbackend.cuda;

import static jcuda.jcublas.JCublas2.cublasCreate;
import static jcuda.jcublas.JCublas2.cublasDestroy;
import static jcuda.jcublas.JCublas2.cublasSetMathMode;
import static jcuda.jcublas.JCublas2.cublasSetStream;
import static jcuda.jcublas.JCublas2.cublasSgemmStridedBatched;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.tensorbackend.api.BackendException;
import dev.tensorbackend.api.MatmulDims;
import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasMath;
import jcuda.jcublas.cublasOperation;
import jcuda.runtime.cudaStream_t;

/**
 * The second matmul path: cuBLAS SGEMM through JCublas 12.6, in pedantic FP32 (no TF32, no
 * reduced-precision shortcuts), batched with strides (stride 0 shares one matrix across the batch).
 *
 * <p>cuBLAS is column-major and our tensors row-major. A row-major m x n matrix has the same
 * bytes as its column-major transpose, so C = op(A) op(B) is computed as
 * C^T = op(B)^T op(A)^T: B goes first, A second, and each keeps its own transpose flag.
 */
final class CublasMatmul implements AutoCloseable {
    private static final AtomicBoolean FALLBACK_REPORTED = new AtomicBoolean();
    private static final Pointer ONE = Pointer.to(new float[] {1f});
    private static final Pointer ZERO = Pointer.to(new float[] {0f});

    private final cublasHandle handle;

    private CublasMatmul(cublasHandle handle) {
        this.handle = handle;
    }

    /**
     * cuBLAS on the current context, queuing its work on {@code stream} (the backend's one
     * stream, so a GEMM is ordered with our kernels and copies), or null when libcublas.so.12 (or the handle) is not
     * available here; then the reason is printed on {@code err}, once per JVM, and the caller
     * uses our own kernel.
     */
    static CublasMatmul tryOpen(PrintStream err, CUstream stream) {
        try {
            JCublas2.setExceptionsEnabled(true);
            cublasHandle h = new cublasHandle();
            cublasCreate(h);
            cublasSetMathMode(h, cublasMath.CUBLAS_PEDANTIC_MATH);
            cublasSetStream(h, new cudaStream_t(stream));
            return new CublasMatmul(h);
        } catch (LinkageError | CudaException e) {
            if (FALLBACK_REPORTED.compareAndSet(false, true)) {
                err.println(CudaBackend.MATMUL_PROPERTY + "=cublas: cuBLAS is not available (" + reason(e)
                        + "); using our own matmul kernel");
            }
            return null;
        }
    }

    private static String reason(Throwable e) {
        String missing = CudaProbe.missingLibrary(e.getMessage());
        if (missing != null) {
            return missing + " not found; JCublas 12.6 needs a CUDA 12 cuBLAS";
        }
        return CudaProbe.oneLine(e.getMessage());
    }

    /** The cuBLAS arguments for one product, kept apart from the call so a test can check them. */
    record Gemm(int opFirst, int opSecond, int m, int n, int k, int ldFirst, long strideFirst,
                int ldSecond, long strideSecond, int ldc, long strideC, int batch) {
    }

    /** Arguments of cublasSgemmStridedBatched for C = op(A) op(B), row-major, as C^T = op(B)^T op(A)^T. */
    static Gemm gemm(MatmulDims d) {
        int opB = d.transB() ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N;
        int opA = d.transA() ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N;
        // column-major leading dimension = the row-major row length of what is stored
        int ldb = d.transB() ? d.k() : d.n();
        int lda = d.transA() ? d.m() : d.k();
        return new Gemm(opB, opA, d.n(), d.m(), d.k(), ldb, d.bBatchStride(), lda, d.aBatchStride(),
                d.n(), (long) d.m() * d.n(), d.batch());
    }

    /** Writes c; the caller handles empty results and k = 0 (zeros). */
    void matmul(CUdeviceptr a, CUdeviceptr b, CUdeviceptr c, MatmulDims d) {
        Gemm g = gemm(d);
        try {
            cublasSgemmStridedBatched(handle, g.opFirst(), g.opSecond(), g.m(), g.n(), g.k(), ONE,
                    b, g.ldFirst(), g.strideFirst(), a, g.ldSecond(), g.strideSecond(), ZERO,
                    c, g.ldc(), g.strideC(), g.batch());
        } catch (CudaException e) {
            throw new BackendException("cuda: cublasSgemmStridedBatched for " + d + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        cublasDestroy(handle);
    }
}

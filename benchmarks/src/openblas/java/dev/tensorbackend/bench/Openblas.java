package dev.tensorbackend.bench;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.OPENBLAS_VERSION;
import static org.bytedeco.openblas.global.openblas_nolapack.blas_get_vendor;
import static org.bytedeco.openblas.global.openblas_nolapack.blas_set_num_threads;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

import dev.tensorbackend.api.Shape;
import dev.tensorbackend.bench.workload.MatmulCase;
import dev.tensorbackend.bench.workload.Workloads;
import java.io.IOException;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;

/**
 * OpenBLAS through JavaCPP's presets (BLAS only: {@code openblas_nolapack}, the same
 * libopenblas.so without the LAPACK bindings), set up the same way wherever it runs: in the
 * probe that BenchMain starts in a JVM of its own, and in each fork of
 * {@link OpenblasMatmulBench}. Compiled only under -Pbench (src/openblas/java).
 */
public final class Openblas {
    /** {@code blas_get_vendor()} once the presets found OpenBLAS's own openblas_set_num_threads. */
    static final int VENDOR_OPENBLAS = 2;

    private Openblas() {
    }

    /** Our CPU backend's thread count ({@link CpuThreads}). */
    static int threads() {
        return CpuThreads.count();
    }

    /**
     * Loads OpenBLAS and gives it our CPU backend's thread count through openblas_set_num_threads
     * (the presets' {@code blas_set_num_threads}; it overrides OPENBLAS_NUM_THREADS, which OpenBLAS
     * reads only when it loads). Fails unless the loaded BLAS is OpenBLAS and took the count.
     */
    static int load() {
        int n = threads();
        blas_set_num_threads(n);
        if (blas_get_vendor() != VENDOR_OPENBLAS) {
            throw new IllegalStateException("the BLAS JavaCPP loaded has no openblas_set_num_threads (vendor "
                    + blas_get_vendor() + "), so it is not OpenBLAS or did not take " + n + " threads");
        }
        return n;
    }

    /** One row-major sgemm per batch entry: its sizes, from a {@link MatmulCase}'s operand shapes. */
    record Gemm(int batch, int m, int n, int k, boolean transA, boolean transB) {
        static Gemm of(MatmulCase c) {
            Shape a = c.a();
            Shape b = c.b();
            int r = a.rank();
            int batch = r == 3 ? a.dim(0) : 1;
            int m = c.transA() ? a.dim(r - 1) : a.dim(r - 2);
            int k = c.transA() ? a.dim(r - 2) : a.dim(r - 1);
            int n = c.transB() ? b.dim(r - 2) : b.dim(r - 1);
            return new Gemm(batch, m, n, k, c.transA(), c.transB());
        }

        long aSize() {
            return (long) m * k;
        }

        long bSize() {
            return (long) k * n;
        }

        long cSize() {
            return (long) m * n;
        }

        /** A's row length: m when it is stored [k,m] and multiplied transposed, else k. */
        int lda() {
            return transA ? m : k;
        }

        /** B's row length: k when it is stored [n,k] and multiplied transposed, else n. */
        int ldb() {
            return transB ? k : n;
        }
    }

    /** A native copy of {@code values}, allocated once and freed by the caller (close()). */
    static FloatPointer resident(float[] values) {
        FloatPointer p = new FloatPointer(values.length);
        p.put(values);
        return p;
    }

    /**
     * {@code out[i] = a[i] b[i]} (or {@code a[i] b[i]^T}) for every batch entry, row-major, alpha 1,
     * beta 0: one cblas_sgemm per entry, the pointers' positions moved to the entry's matrices.
     */
    static void multiply(Gemm g, FloatPointer a, FloatPointer b, FloatPointer out) {
        int transA = g.transA() ? CblasTrans : CblasNoTrans;
        int transB = g.transB() ? CblasTrans : CblasNoTrans;
        for (int i = 0; i < g.batch(); i++) {
            a.position(i * g.aSize());
            b.position(i * g.bSize());
            out.position(i * g.cSize());
            cblas_sgemm(CblasRowMajor, transA, transB, g.m(), g.n(), g.k(), 1f, a, g.lda(), b, g.ldb(), 0f, out, g.n());
        }
        a.position(0);
        b.position(0);
        out.position(0);
    }

    /**
     * Checks {@code out} against float64 dot products of the operands {@code a} and {@code b}
     * (host copies, in the same layout): every corner of the first and the last batch entry and
     * {@code samples} seeded random entries, each within 1e-4 of the sum of its terms' magnitudes
     * (float rounding stays far below; a wrong stride, transpose or offset is off by about 1).
     */
    static void check(Gemm g, float[] a, float[] b, FloatPointer out, int samples, String label) {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int s = 0; s < 8 + samples; s++) {
            int batch;
            int row;
            int col;
            if (s < 8) {
                batch = (s & 4) == 0 ? 0 : g.batch() - 1;
                row = (s & 2) == 0 ? 0 : g.m() - 1;
                col = (s & 1) == 0 ? 0 : g.n() - 1;
            } else {
                batch = rnd.nextInt(g.batch());
                row = rnd.nextInt(g.m());
                col = rnd.nextInt(g.n());
            }
            double sum = 0;
            double magnitude = 0;
            for (int t = 0; t < g.k(); t++) {
                double x = a[(int) (batch * g.aSize() + (g.transA() ? (long) t * g.m() + row : (long) row * g.k() + t))];
                double y = b[(int) (batch * g.bSize() + (g.transB() ? (long) col * g.k() + t : (long) t * g.n() + col))];
                sum += x * y;
                magnitude += Math.abs(x * y);
            }
            float got = out.get(batch * g.cSize() + (long) row * g.n() + col);
            if (!(Math.abs(got - sum) <= 1e-4 * magnitude + 1e-6)) {
                throw new IllegalStateException("OpenBLAS's product for " + label + " is wrong at batch " + batch
                        + ", row " + row + ", column " + col + ": " + got + ", expected " + (float) sum);
            }
        }
    }

    /**
     * Loads OpenBLAS as a benchmark fork does, checks a small product of each layout the benchmark
     * uses (plain, batched with B transposed, batched, A transposed, B transposed), and returns
     * one line for the report.
     */
    public static String probe() {
        int n = load();
        for (String label : new String[] {"5", "qkt-3x5x4", "av-3x5x4", "wgrad-5x7x3", "tallbt-5x7x3"}) {
            MatmulCase c = MatmulCase.parse(label);
            Gemm g = Gemm.of(c);
            float[] a = Workloads.random(c.a(), 1);
            float[] b = Workloads.random(c.b(), 2);
            try (FloatPointer pa = resident(a); FloatPointer pb = resident(b);
                 FloatPointer out = new FloatPointer(g.batch() * g.cSize())) {
                multiply(g, pa, pb, out);
                check(g, a, b, out, 64, label);
            }
        }
        return OPENBLAS_VERSION.trim() + " through JavaCPP presets " + presetsVersion() + ", " + n
                + (n == 1 ? " thread" : " threads") + " (as our CPU backend)";
    }

    /** The presets' release, from their jar's Maven metadata ("0.3.31-1.5.13": the part after OpenBLAS's version). */
    static String presetsVersion() {
        try {
            String v = Loader.getVersion("org.bytedeco", "openblas", Openblas.class);
            return v == null ? "(version unknown)" : v.substring(v.lastIndexOf('-') + 1);
        } catch (IOException e) {
            return "(version unknown)";
        }
    }

    /**
     * The probe's own JVM (see {@link OpenblasPeer}): prints its line after
     * {@link OpenblasPeer#PROBE_OK}, or why it failed after {@link OpenblasPeer#PROBE_FAILED}.
     */
    public static void main(String[] args) {
        try {
            System.out.println(OpenblasPeer.PROBE_OK + probe());
        } catch (RuntimeException | LinkageError e) {
            System.out.println(OpenblasPeer.PROBE_FAILED + PeerStatus.oneLine(e));
            System.exit(1);
        }
    }
}

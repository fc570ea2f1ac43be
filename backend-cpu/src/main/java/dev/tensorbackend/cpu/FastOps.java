package dev.tensorbackend.cpu;

/**
 * The element-wise ops, reductions and softmax over {@link FastKernels}, split into fixed
 * chunks across the pool when large enough to pay for the hand-off. Chunk boundaries depend
 * only on the sizes, and every reduction adds fixed blocks in index order, so results do not
 * depend on the thread count.
 */
final class FastOps {
    /** Elements per task for memory-bound ops: large enough that a task outweighs its hand-off. */
    private static final int CHUNK = 1 << 15;
    /**
     * Softmax's forward task size: its vector kernel finds each row's maximum while working on
     * the row before, so the first row of a task has a pass of its own; 4 x CHUNK makes that
     * 1 row in 32 at 4096 columns (JMH, 4096^2, alternating jars: 4.99-5.44 ms against
     * 5.40-5.54 with CHUNK).
     */
    private static final int SOFTMAX_CHUNK = 4 * CHUNK;
    /**
     * Elements summed in float (in SIMD lanes) before each block's total is added in double:
     * a block gathers about block / lanes + lanes float roundings, and adding the totals in
     * double adds nothing noticeable however long the array.
     */
    static final int SUM_BLOCK = 1024;

    private final FastKernels k;
    private final CpuPool pool;
    private final OutputArrays outputs;

    FastOps(FastKernels kernels, CpuPool pool) {
        this(kernels, pool, OutputArrays.NEW);
    }

    /**
     * Results go into arrays from {@code outputs}, uninitialized ones: every op here writes
     * every element of its result (the contract tests run on arrays poisoned with NaN to
     * prove it).
     */
    FastOps(FastKernels kernels, CpuPool pool, OutputArrays outputs) {
        this.k = kernels;
        this.pool = pool;
        this.outputs = outputs;
    }

    /** A loop body over a range of element indices. */
    private interface Range {
        void run(int from, int to);
    }

    /** Runs body over [0, length) in chunks of {@code chunk} elements, in parallel when there are several. */
    private void chunked(int length, int chunk, Range body) {
        int tasks = (int) (((long) length + chunk - 1) / chunk);
        if (tasks <= 1) {
            body.run(0, length);
            return;
        }
        pool.forEach(tasks, t -> body.run(t * chunk, (int) Math.min(length, (long) (t + 1) * chunk)));
    }

    float[] add(float[] a, float[] b) {
        float[] out = outputs.uninitialized(a.length);
        chunked(a.length, CHUNK, (from, to) -> k.add(a, from, b, from, out, from, to - from));
        return out;
    }

    float[] mul(float[] a, float[] b) {
        float[] out = outputs.uninitialized(a.length);
        chunked(a.length, CHUNK, (from, to) -> k.mul(a, b, out, from, to));
        return out;
    }

    float[] scale(float[] x, float alpha) {
        float[] out = outputs.uninitialized(x.length);
        chunked(x.length, CHUNK, (from, to) -> k.scale(alpha, x, out, from, to));
        return out;
    }

    void axpy(float alpha, float[] x, float[] y) {
        chunked(x.length, CHUNK, (from, to) -> k.axpy(alpha, x, y, from, to));
    }

    float[] relu(float[] x) {
        float[] out = outputs.uninitialized(x.length);
        chunked(x.length, CHUNK, (from, to) -> k.relu(x, out, from, to));
        return out;
    }

    float[] reluBackward(float[] x, float[] dy) {
        float[] out = outputs.uninitialized(x.length);
        chunked(x.length, CHUNK, (from, to) -> k.reluBackward(x, dy, out, from, to));
        return out;
    }

    /** x viewed as [outer, len, inner] plus bias[l] along the middle axis. */
    float[] addBias(float[] x, float[] bias, int outer, int len, int inner) {
        float[] out = outputs.uninitialized(x.length);
        if (inner == 1) { // bias along the last axis: each row is a vector add
            chunked(outer, rowsPerChunk(len), (from, to) -> {
                for (int o = from; o < to; o++) {
                    k.add(x, o * len, bias, 0, out, o * len, len);
                }
            });
        } else { // each run of inner values shares one bias value
            chunked(outer * len, rowsPerChunk(inner), (from, to) -> {
                for (int row = from; row < to; row++) {
                    k.addScalar(x, row * inner, bias[row % len], out, row * inner, inner);
                }
            });
        }
        return out;
    }

    /** x viewed as [outer, len, inner], summed over outer and inner; double across blocks as the reference. */
    float[] sumToAxis(float[] x, int outer, int len, int inner) {
        double[] acc = new double[len];
        if (inner == 1) {
            for (int o = 0; o < outer; o++) {
                for (int l = 0, off = o * len; l < len; l++) {
                    acc[l] += x[off + l];
                }
            }
        } else {
            for (int o = 0; o < outer; o++) {
                for (int l = 0; l < len; l++) {
                    int start = (o * len + l) * inner;
                    for (int from = 0; from < inner; from += SUM_BLOCK) {
                        acc[l] += k.sum(x, start + from, start + Math.min(inner, from + SUM_BLOCK));
                    }
                }
            }
        }
        float[] out = outputs.uninitialized(len);
        for (int l = 0; l < len; l++) {
            out[l] = (float) acc[l];
        }
        return out;
    }

    /** Blocks of {@link #SUM_BLOCK} summed in float (in parallel), their totals added in order in double. */
    float sum(float[] x) {
        int blocks = (x.length + SUM_BLOCK - 1) / SUM_BLOCK;
        double[] totals = new double[blocks];
        chunked(blocks, CHUNK / SUM_BLOCK, (from, to) -> {
            for (int blk = from; blk < to; blk++) {
                totals[blk] = k.sum(x, blk * SUM_BLOCK, Math.min(x.length, (blk + 1) * SUM_BLOCK));
            }
        });
        double s = 0;
        for (double t : totals) {
            s += t;
        }
        return (float) s;
    }

    float[] softmax(float[] x, int rows, int cols) {
        float[] y = outputs.uninitialized(x.length);
        chunked(rows, rowsPerChunk(cols, SOFTMAX_CHUNK), (from, to) -> k.softmaxRows(x, y, from * cols, to - from, cols));
        return y;
    }

    float[] softmaxBackward(float[] y, float[] dy, int rows, int cols) {
        float[] dx = outputs.uninitialized(y.length);
        chunked(rows, rowsPerChunk(cols), (from, to) -> k.softmaxBackwardRows(y, dy, dx, from * cols, to - from, cols));
        return dx;
    }

    /** Rows of {@code rowLength} elements per task, so that one task covers about {@link #CHUNK} elements. */
    private static int rowsPerChunk(int rowLength) {
        return rowsPerChunk(rowLength, CHUNK);
    }

    private static int rowsPerChunk(int rowLength, int elements) {
        return Math.max(1, elements / Math.max(1, rowLength));
    }
}

package dev.tensorbackend.cpu;

import dev.tensorbackend.api.MatmulDims;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Blocked, packed, multi-threaded {@code C += op(A) op(B)} around one {@link FastKernels}
 * micro-kernel (the structure of GotoBLAS/BLIS):
 * <ul>
 *   <li>K is cut into blocks of {@code kc}; for each, a {@code kc x nc} panel of B is packed
 *       into {@code nr}-column slivers (stays in L2/L3), and each {@code mc x kc} block of A
 *       into {@code mr}-row slivers (stays in L2);</li>
 *   <li>the micro-kernel multiplies one A sliver by one B sliver into an {@code mr x nr} tile
 *       held in registers; edge tiles are zero-padded in the packed copies, computed into a
 *       scratch tile and only their valid part added to C, so any M, N, K works;</li>
 *   <li>transposes are only strides ({@link Operand}): packing reads either layout, nothing
 *       is transposed in memory; B need not even be a matrix ({@link PanelSource}:
 *       convolution patches are packed straight from the image).</li>
 * </ul>
 * Threads split the output (batch entries, then row and column ranges on micro-tile
 * boundaries); every element is summed by one thread over the same K blocks in the same
 * order whatever the split, so results do not depend on the thread count or scheduling.
 */
final class Gemm {
    /**
     * Default blocks, tuned on Zen 4 (1 MB L2 per core, 32 MB L3) on 2 threads: a K block of
     * 1024 beat 512 by 4% at 1024^3 and 2048^3 (measured in one process, interleaved: 191 vs
     * 184 and 190 vs 184 GFLOP/s), since C is read and written once per K block; an A block
     * of 96 x 1024 floats (384 KB) stays in L2 next to the 128 KB B sliver it meets; a B panel
     * of 1024 x 1024 floats (4 MB) stays in L3 and is wide enough that a 1024-wide product
     * packs A only once. (Earlier, at 512: 256/144/2048 and 384/144/1024 lost by a few percent.)
     * Measured and dropped, interleaved in one process: B packed once and shared by the threads'
     * row bands (chunks claimed by whichever thread needs one first) lost 0-15% at 512^3 and
     * 1024^3, reading chunks another core just wrote costing more than the packing it saved; a
     * 6 x 64 micro-tile gained 3% at 1024^3 but lost at 256^3 and 2048^3, and wastes half a
     * tile on 32-wide products.
     */
    static final int DEFAULT_KC = 1024, DEFAULT_MC = 96, DEFAULT_NC = 1024;
    /**
     * Flops (two per multiply-add) below which handing work to other threads costs more than
     * it saves. With helpers that wait in a queue (waking one took tens of microseconds) it
     * was 1e7; since the helpers spin between calls ({@link CpuPool}) it was 1e6 (128^3: 50 ->
     * 34 us split), and since narrow products read A in place, splitting pays from about 1e5
     * (interleaved here, serial -> split: 64^3 5.6 -> 3.6 us, 40^3 2.8 -> 2.3 us, 32 x 64 x 32
     * 1.7 -> 1.5 us; 32^3, 65536 flops, 0.9 -> 1.0 us, so it stays on one thread).
     */
    private static final double PARALLEL_MIN_FLOPS = 1e5;
    /**
     * Products at most this many micro-tile columns wide read a stored A in place
     * ({@link FastKernels#gatherMicroKernel}) instead of packing it: a packed A sliver would
     * meet only this many B slivers, too few to repay its transposing copy, while the B panel
     * the A rows meet stays in L2 (kc x 128 floats). Same bits either way. Measured here,
     * interleaved in one process, packed -> in place: attention's A V [8,64,64] x [8,64,32]
     * 23.3 -> 15.8 us, Q K^T [8,64,32] x [8,64,32]^T 26.2 -> 21.3 us, 512^2 x [512, n] for n =
     * 32, 64, 128, 256: 138 -> 80, 218 -> 182, 405 -> 327, 719 -> 638 us, 2048^2 x [2048, 128]
     * 6.9 -> 5.5 ms. Wider products stay packed: at 256^3 to 512^3 reading A in place won
     * or lost about 10% depending on the run (512^3: 1.37 -> 1.26 ms once, 1.35 -> 1.48 ms
     * another time), and it lost at 1024^3 and 2048^3 (193 -> 167-177 GFLOP/s), through the
     * narrow kernel, whose speed is decided at each JVM launch. Through the wide tile
     * ({@link #wideTilesFit}) A is read in place at every width: measured in one process on 2
     * threads, packed -> in place, 256^3 182-187 -> 201-205 GFLOP/s, 512^3 165-198 -> 207,
     * 1024^3 195-197 -> 205-208 (A transposed 169-177 -> 183-185, B transposed 177-181 ->
     * 187-191), 2048^3 197-199 -> 206, 4096^3 188-193 -> 199-207.
     */
    static final int IN_PLACE_A_MAX_SLIVERS = 4;
    /**
     * From this many rows the wide tile takes an in-place product whatever rows of its last
     * tile it drops (at most 5, under 4%); below, only where it drops at most 1% of them. At 64
     * rows (attention's products, 66 rows computed) it measured 3-8% slower than the narrow
     * tile; at 128 (a thread's half of 256^3) 201-205 GFLOP/s against the narrow tile's 175 or
     * 208, decided at each launch.
     */
    static final int WIDE_MIN_ROWS = 128;

    /**
     * Each thread's packing buffers, bounded by the block sizes (about 4.4 MB at the defaults);
     * per Gemm, so that the backend's close drops them ({@link #releaseScratch}), threads held
     * weakly so that a caller thread that ends takes its buffers with it.
     */
    private final Map<Thread, Workspace> workspaces = Collections.synchronizedMap(new WeakHashMap<>());

    private final FastKernels kernels;
    private final CpuPool pool;
    private final OutputArrays outputs;
    private final int mr, nr, kcBlock, mc, nc;

    Gemm(FastKernels kernels, CpuPool pool) {
        this(kernels, pool, OutputArrays.NEW);
    }

    /** Products go into arrays from {@code outputs}. */
    Gemm(FastKernels kernels, CpuPool pool, OutputArrays outputs) {
        this(kernels, pool, outputs, DEFAULT_KC, DEFAULT_MC, DEFAULT_NC);
    }

    /** Other block sizes: for tests that cross many block edges on small matrices, and for tuning. */
    Gemm(FastKernels kernels, CpuPool pool, int kc, int mc, int nc) {
        this(kernels, pool, OutputArrays.NEW, kc, mc, nc);
    }

    private Gemm(FastKernels kernels, CpuPool pool, OutputArrays outputs, int kc, int mc, int nc) {
        this.kernels = kernels;
        this.pool = pool;
        this.outputs = outputs;
        this.mr = kernels.mr();
        this.nr = kernels.nr();
        this.kcBlock = kc;
        this.mc = mr * Math.max(1, mc / mr);
        this.nc = nr * Math.max(1, nc / nr);
    }

    FastKernels kernels() {
        return kernels;
    }

    CpuPool pool() {
        return pool;
    }

    /**
     * A matrix operand where it lies: element (row, col) is
     * {@code data[offset + row * rowStride + col * colStride]}.
     */
    record Operand(float[] data, int offset, int rowStride, int colStride) implements BlockSource, PanelSource {
        /** The logical {@code rows x cols} matrix at {@code offset}, stored row-major, or as its transpose. */
        static Operand of(float[] data, int offset, int rows, int cols, boolean storedTransposed) {
            return storedTransposed ? new Operand(data, offset, 1, rows) : new Operand(data, offset, cols, 1);
        }

        Operand shifted(int rows, int cols) {
            return new Operand(data, offset + rows * rowStride + cols * colStride, rowStride, colStride);
        }

        @Override
        public PanelSource shiftedColumns(int cols) {
            return shifted(0, cols);
        }

        @Override
        public BlockSource shiftedRows(int rows) {
            return shifted(rows, 0);
        }

        @Override
        public void packBlock(int ic, int pc, int mcur, int kc, int mr, float[] dst) {
            for (int s = 0; s * mr < mcur; s++) {
                int base = s * mr * kc, rows = Math.min(mr, mcur - s * mr);
                int start = offset + (ic + s * mr) * rowStride + pc * colStride;
                if (colStride == 1) { // row-major: walk each row along K
                    for (int r = 0; r < rows; r++) {
                        int from = start + r * rowStride;
                        for (int p = 0; p < kc; p++) {
                            dst[base + p * mr + r] = data[from + p];
                        }
                    }
                } else { // stored transposed: the mr values of one column lie together
                    for (int p = 0; p < kc; p++) {
                        int from = start + p * colStride, to = base + p * mr;
                        for (int r = 0; r < rows; r++) {
                            dst[to + r] = data[from + r * rowStride];
                        }
                    }
                }
                for (int r = rows; r < mr; r++) {
                    for (int p = 0; p < kc; p++) {
                        dst[base + p * mr + r] = 0f;
                    }
                }
            }
        }

        @Override
        public void packPanel(int pc, int jc, int kc, int ncur, int nr, BPanel panel) {
            float[] dst = panel.packed;
            int full = colStride == 1 ? ncur / nr : 0;
            if (full > 0) { // row-major: one pass along each row of B, dealing it out to the full slivers
                for (int p = 0; p < kc; p++) { // (measured 0.8 -> 0.5 ms for 1024^2: B is read once, in order)
                    int from = offset + (pc + p) * rowStride + jc, to = p * nr;
                    for (int t = 0; t < full; t++) {
                        System.arraycopy(data, from + t * nr, dst, to + t * nr * kc, nr);
                    }
                }
            }
            for (int t = full; t * nr < ncur; t++) {
                int base = t * nr * kc, cols = Math.min(nr, ncur - t * nr);
                int start = offset + pc * rowStride + (jc + t * nr) * colStride;
                if (colStride == 1) { // row-major: each sliver row is a contiguous run
                    for (int p = 0; p < kc; p++) {
                        System.arraycopy(data, start + p * rowStride, dst, base + p * nr, cols);
                    }
                } else { // stored transposed: walk each column along K
                    for (int q = 0; q < cols; q++) {
                        int from = start + q * colStride;
                        for (int p = 0; p < kc; p++) {
                            dst[base + p * nr + q] = data[from + p * rowStride];
                        }
                    }
                }
                if (cols < nr) {
                    for (int p = 0; p < kc; p++) {
                        Arrays.fill(dst, base + p * nr + cols, base + (p + 1) * nr, 0f);
                    }
                }
            }
        }
    }

    /** {@code op(A) op(B)} for every batch entry (see {@link MatmulDims}), into an array from the outputs. */
    float[] matmul(float[] a, float[] b, MatmulDims d) {
        int m = d.m(), n = d.n(), k = d.k(), batch = d.batch();
        if (batch * m * n == 0 || k == 0) {
            return outputs.zeroed(batch * m * n);
        }
        float[] c = outputs.uninitialized(batch * m * n); // the first K block overwrites every element
        if (batch >= pool.threads()) { // one batch entry per task is enough work and packs nothing twice
            pool.forEach(batch, bi -> multiply(m, n, k, operandA(a, d, bi), operandB(b, d, bi), c, bi * m * n, n, true));
        } else {
            for (int bi = 0; bi < batch; bi++) {
                multiplyParallel(m, n, k, operandA(a, d, bi), operandB(b, d, bi), c, bi * m * n, n, true);
            }
        }
        return c;
    }

    private static Operand operandA(float[] a, MatmulDims d, int batchIndex) {
        return Operand.of(a, batchIndex * d.aBatchStride(), d.m(), d.k(), d.transA());
    }

    private static Operand operandB(float[] b, MatmulDims d, int batchIndex) {
        return Operand.of(b, batchIndex * d.bBatchStride(), d.k(), d.n(), d.transB());
    }

    /**
     * As {@link #multiply}, with the output cut into row and column ranges on micro-tile
     * boundaries, one task each: enough tasks for every thread, cutting M first unless N is
     * far longer (each cut repacks the other operand once more). The result is the same as
     * {@link #multiply}'s, bit for bit.
     */
    void multiplyParallel(int m, int n, int k, BlockSource a, PanelSource b, float[] c, int cOff, int ldc,
                          boolean overwrite) {
        int threads = pool.threads();
        if (threads == 1 || 2.0 * m * n * k < PARALLEL_MIN_FLOPS) {
            multiply(m, n, k, a, b, c, cOff, ldc, overwrite);
            return;
        }
        int mTiles = (m + mr - 1) / mr, nTiles = (n + nr - 1) / nr;
        int mParts = 1, nParts = 1;
        while (mParts * nParts < threads && (mParts < mTiles || nParts < nTiles)) {
            // every part packs all of the operand the cut does not divide: cutting M repeats B's
            // packing (row copies), cutting N repeats A's (a transpose into mr-row slivers, about
            // twice as dear per element), so M is cut unless N is the more than twice longer side
            boolean cutN = nParts < nTiles && (mParts >= mTiles || (double) n / nParts > 2.0 * m / mParts);
            if (cutN) {
                nParts++;
            } else {
                mParts++;
            }
        }
        int rowParts = mParts, colParts = nParts;
        pool.forEach(rowParts * colParts, task -> {
            int mi = task / colParts, ni = task % colParts;
            int m0 = boundary(m, mr, rowParts, mi), m1 = boundary(m, mr, rowParts, mi + 1);
            int n0 = boundary(n, nr, colParts, ni), n1 = boundary(n, nr, colParts, ni + 1);
            multiply(m1 - m0, n1 - n0, k, a.shiftedRows(m0), b.shiftedColumns(n0), c, cOff + m0 * ldc + n0, ldc, overwrite);
        });
    }

    /** Start of range {@code part} of {@code parts} over {@code total}, on a multiple of {@code unit}. */
    private static int boundary(int total, int unit, int parts, int part) {
        int tiles = (total + unit - 1) / unit;
        return Math.min(total, (int) ((long) tiles * part / parts) * unit);
    }

    /**
     * {@code C[m x n] += op(A)[m x k] op(B)[k x n]} on the calling thread, or with
     * {@code overwrite} {@code C = op(A) op(B)}, C's old contents neither read nor kept (so C
     * needs no zeroing first: the first K block stores its sums); C element (i, j) is
     * {@code c[cOff + i * ldc + j]}.
     */
    void multiply(int m, int n, int k, BlockSource a, PanelSource b, float[] c, int cOff, int ldc, boolean overwrite) {
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) { // no K block to store anything
            if (overwrite) {
                for (int i = 0; i < m; i++) {
                    Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
                }
            }
            return;
        }
        Workspace ws = workspace().ensure(mc * kcBlock, Math.max(mr, 2 * kernels.wideMr()) * nr);
        // both stored matrices, and too narrow to repay packing A or rows enough for the wide tile
        Operand aInPlace = a instanceof Operand op && b instanceof Operand
                && ((n + nr - 1) / nr <= IN_PLACE_A_MAX_SLIVERS || wideTilesFit(m)) ? op : null;
        for (int jc = 0; jc < n; jc += nc) {
            int ncur = Math.min(nc, n - jc);
            for (int pc = 0; pc < k; pc += kcBlock) {
                int kc = Math.min(kcBlock, k - pc);
                if (aInPlace != null) {
                    macroKernelInPlace(aInPlace, (Operand) b, m, ncur, pc, jc, kc, ws, c, cOff + jc, ldc, overwrite && pc == 0);
                    continue;
                }
                b.packPanel(pc, jc, kc, ncur, nr, ws.b.prepare(kc, ncur, nr));
                for (int ic = 0; ic < m; ic += mc) {
                    int mcur = Math.min(mc, m - ic);
                    a.packBlock(ic, pc, mcur, kc, mr, ws.a);
                    macroKernel(mcur, ncur, kc, ws, c, cOff + ic * ldc + jc, ldc, overwrite && pc == 0);
                }
            }
        }
    }

    /** Every micro-tile of one packed A block times one B panel, added onto C or, with {@code overwrite}, stored. */
    private void macroKernel(int mcur, int ncur, int kc, Workspace ws, float[] c, int cOff, int ldc, boolean overwrite) {
        float[] tile = ws.tile;
        BPanel panel = ws.b;
        for (int jr = 0; jr < ncur; jr += nr) {
            int cols = Math.min(nr, ncur - jr), sliverAt = panel.sliverOffset[jr / nr];
            boolean inPlace = sliverAt != BPanel.PACKED;
            float[] b = inPlace ? panel.source : panel.packed;
            int bOff = inPlace ? sliverAt : jr * kc;
            int[] bRows = inPlace ? panel.sourceRows : panel.packedRows;
            for (int ir = 0; ir < mcur; ir += mr) {
                int rows = Math.min(mr, mcur - ir), aOff = ir * kc, cIdx = cOff + ir * ldc + jr;
                if (rows == mr && cols == nr) {
                    kernels.microKernel(kc, ws.a, aOff, b, bOff, bRows, c, cIdx, ldc, overwrite);
                } else { // an edge tile: the whole tile into scratch, its valid part onto C
                    kernels.microKernel(kc, ws.a, aOff, b, bOff, bRows, tile, 0, nr, true);
                    storeEdge(tile, nr, rows, cols, c, cIdx, ldc, overwrite);
                }
            }
        }
    }

    /**
     * All rows of op(A) (stored, read in place) times columns [jc, jc + ncur) of K block pc of
     * B: as {@link #macroKernel}, with the A sliver given by tables of row and column offsets.
     * Pairs of slivers go through the wide tile where the kernels have one
     * ({@link FastKernels#wideGatherMicroKernel}: its speed does not depend on the JVM launch),
     * B packed in slivers twice as wide, or read in place where it is a row-major matrix exactly
     * that wide (a dense layer's [64,64] weights; the weight gradient [16384,64]^T x [16384,64]
     * spent 190 us of about 0.8 ms a thread copying its B); an odd last sliver goes through
     * the narrow tile.
     */
    private void macroKernelInPlace(Operand a, Operand b, int m, int ncur, int pc, int jc, int kc, Workspace ws,
                                    float[] c, int cOff, int ldc, boolean overwrite) {
        int[] cols = ws.columns(kc);
        for (int q = 0; q < kc; q++) {
            cols[q] = (pc + q) * a.colStride();
        }
        int wideMr = kernels.wideMr(), wideNr = 2 * nr, slivers = (ncur + nr - 1) / nr;
        // B's rows are the wide tile's rows already: no copy, which outweighs the rows the wide
        // tiles compute and drop (up to 5 a tile: the weight gradient's row bands of 32, 36 rows
        // computed, ran at 181 GFLOP/s against 145-167 with narrow tiles and B packed)
        boolean bInPlace = b.colStride() == 1 && b.rowStride() == wideNr && ncur == wideNr;
        boolean wideFits = (wideMr > 0 && bInPlace) || wideTilesFit(m);
        int wideEnd = wideFits ? Math.min(ncur, slivers / 2 * wideNr) : 0; // columns the wide tiles cover
        if (wideEnd > 0) {
            if (bInPlace) {
                inPlaceTiles(a, m, 0, wideEnd, wideMr, wideNr, kc, cols, b.data(), b.offset() + pc * wideNr + jc, ws, c,
                        cOff, ldc, overwrite);
            } else {
                b.packPanel(pc, jc, kc, wideEnd, wideNr, ws.b.prepare(kc, wideEnd, wideNr));
                inPlaceTiles(a, m, 0, wideEnd, wideMr, wideNr, kc, cols, ws.b.packed, 0, ws, c, cOff, ldc, overwrite);
            }
        }
        if (wideEnd < ncur) {
            b.packPanel(pc, jc + wideEnd, kc, ncur - wideEnd, nr, ws.b.prepare(kc, ncur - wideEnd, nr));
            inPlaceTiles(a, m, wideEnd, ncur, mr, nr, kc, cols, ws.b.packed, 0, ws, c, cOff, ldc, overwrite);
        }
    }

    /** Whether the wide tile takes an in-place product of m rows (see {@link #WIDE_MIN_ROWS}). */
    private boolean wideTilesFit(int m) {
        int wideMr = kernels.wideMr();
        return wideMr > 0 && (m >= WIDE_MIN_ROWS || ((m + wideMr - 1) / wideMr * wideMr - m) * 100 <= m);
    }

    /**
     * Columns [j0, j1) of the in-place product in tiles of {@code tileRows x tileCols} (the
     * narrow micro-tile, or the wide one), against B slivers {@code tileCols} wide from
     * {@code b[bOff]} on (packed, {@code tileCols * kc} apart); rows past m repeat the last one
     * (computed, dropped), and edge tiles go through the scratch tile.
     */
    private void inPlaceTiles(Operand a, int m, int j0, int j1, int tileRows, int tileCols, int kc, int[] cols,
                              float[] b, int bOff, Workspace ws, float[] c, int cOff, int ldc, boolean overwrite) {
        int[] rows = ws.rows(tileRows);
        for (int ir = 0; ir < m; ir += tileRows) {
            int valid = Math.min(tileRows, m - ir);
            for (int r = 0; r < tileRows; r++) {
                rows[r] = a.offset() + (ir + Math.min(r, valid - 1)) * a.rowStride();
            }
            for (int jr = j0; jr < j1; jr += tileCols) {
                int width = Math.min(tileCols, j1 - jr), cIdx = cOff + ir * ldc + jr, sliverAt = bOff + (jr - j0) * kc;
                boolean wide = tileCols != nr;
                // straight into C: whole tiles, the wide ones only where they overwrite (they only store)
                boolean direct = valid == tileRows && width == tileCols && (overwrite || !wide);
                float[] out = direct ? c : ws.tile;
                int outOff = direct ? cIdx : 0, outLd = direct ? ldc : tileCols;
                if (wide) {
                    kernels.wideGatherMicroKernel(kc, a.data(), rows, 0, cols, 0, b, sliverAt, out, outOff, outLd);
                } else {
                    // the scratch tile is always overwritten
                    kernels.gatherMicroKernel(kc, a.data(), rows, 0, cols, 0, b, sliverAt, out, outOff, outLd,
                            overwrite || !direct);
                }
                if (!direct) {
                    storeEdge(ws.tile, tileCols, valid, width, c, cIdx, ldc, overwrite);
                }
            }
        }
    }

    /**
     * The valid {@code rows x cols} part of a scratch tile (rows tileLd apart) onto C, or with
     * {@code overwrite} into it: edge tiles, and whole wide tiles of later K blocks.
     */
    private void storeEdge(float[] tile, int tileLd, int rows, int cols, float[] c, int cIdx, int ldc, boolean overwrite) {
        for (int r = 0; r < rows; r++) {
            if (overwrite) {
                System.arraycopy(tile, r * tileLd, c, cIdx + r * ldc, cols);
            } else { // C's old value plus the tile's, as the kernels add
                kernels.add(c, cIdx + r * ldc, tile, r * tileLd, c, cIdx + r * ldc, cols);
            }
        }
    }

    private Workspace workspace() {
        return workspaces.computeIfAbsent(Thread.currentThread(), t -> new Workspace());
    }

    /** Bytes of packing buffers kept now, over all threads. */
    long retainedScratchBytes() {
        synchronized (workspaces) {
            return workspaces.values().stream().mapToLong(Workspace::bytes).sum();
        }
    }

    /** Drops every thread's packing buffers (the backend's close). */
    void releaseScratch() {
        workspaces.clear();
    }

    /** One thread's packing buffers, grown on demand up to the block sizes. */
    private static final class Workspace {
        float[] a = new float[0], tile = new float[0];
        final BPanel b = new BPanel();
        /** Offset tables of an A read in place. */
        private int[] rows = new int[0], columns = new int[0];

        int[] rows(int size) {
            if (rows.length < size) {
                rows = new int[size];
            }
            return rows;
        }

        int[] columns(int size) {
            if (columns.length < size) {
                columns = new int[size];
            }
            return columns;
        }

        long bytes() {
            return (long) (a.length + tile.length + b.packed.length + 3 * b.runTo.length + rows.length + columns.length) * Float.BYTES;
        }

        Workspace ensure(int aSize, int tileSize) {
            if (a.length < aSize) {
                a = new float[aSize];
            }
            if (tile.length < tileSize) {
                tile = new float[tileSize];
            }
            return this;
        }
    }
}

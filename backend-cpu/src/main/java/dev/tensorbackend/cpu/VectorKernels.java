package dev.tensorbackend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link FastKernels} on the JDK Vector API. Only {@link FastKernelSelection} names this
 * class, and only after it has seen {@code jdk.incubator.vector} in the boot layer: loading
 * it without the module would fail.
 */
final class VectorKernels implements FastKernels {
    /** The CPU's widest species, or the narrower one {@link VectorWidth#PROPERTY} forces (read once per JVM). */
    private static final VectorSpecies<Float> S = species(VectorWidth.requestedBits());
    private static final int L = S.length();
    /** Ints of the same width, for the exponent bits of exp's 2^n. */
    private static final VectorSpecies<Integer> INT_S = VectorSpecies.of(int.class, S.vectorShape());
    /**
     * Rows x 2 vectors of accumulators. Each A broadcast feeds two FMAs and each B load MR,
     * so the loop is bound by FMA throughput, not by loads. With 512-bit vectors (AVX-512 has
     * 32 registers) 8 rows: 16 accumulators + 2 B + 1 broadcast, and M = 32 or 1024 tiles
     * exactly; with narrower vectors (AVX2: 16 registers) 6 rows, 12 + 2 + 1, or they spill.
     */
    private static final int MR = L >= 16 ? 8 : 6;
    static final int NR = 2 * L;
    /**
     * Rows of the wide gathered tile (WIDE_MR x 2 NR): 6 with 512-bit vectors; none with narrower
     * ones, whose 16 registers cannot hold 4 vectors of accumulators for more than 2 rows.
     */
    private static final int WIDE_MR = L >= 16 ? 6 : 0;

    /**
     * Refuses a forced width the CPU does not have (see {@link VectorWidth#checkSupported}); the
     * selection passes that error on instead of falling back to the scalar kernels.
     */
    VectorKernels() {
        VectorWidth.checkSupported(S.vectorBitSize(), FloatVector.SPECIES_PREFERRED.vectorBitSize());
    }

    private static VectorSpecies<Float> species(int bits) {
        return bits == VectorWidth.PREFERRED ? FloatVector.SPECIES_PREFERRED
                : VectorSpecies.of(float.class, VectorShape.forBitSize(bits));
    }

    /** The species every kernel here uses. */
    static VectorSpecies<Float> species() {
        return S;
    }

    @Override
    public String name() {
        return "vector";
    }

    @Override
    public String describe() {
        return "vector, " + S.vectorBitSize() + "-bit (" + L + " lanes), " + MR + "x" + NR + " micro-tile"
                + (WIDE_MR > 0 ? ", " + WIDE_MR + "x" + 2 * NR + " for A read in place" : "");
    }

    @Override
    public int mr() {
        return MR;
    }

    @Override
    public int nr() {
        return NR;
    }

    @Override
    public void microKernel(int kc, float[] a, int aOff, float[] b, int bOff, int[] bRows, float[] c, int cOff, int ldc,
                            boolean overwrite) {
        if (MR == 8) { // a constant: C2 keeps only one branch
            microKernel8(kc, a, aOff, b, bOff, bRows, c, cOff, ldc, overwrite);
        } else {
            microKernel6(kc, a, aOff, b, bOff, bRows, c, cOff, ldc, overwrite);
        }
    }

    /** The 8-row micro-kernel; package-private so that tests reach both kernels on any machine. */
    static void microKernel8(int kc, float[] a, int aOff, float[] b, int bOff, int[] bRows, float[] c, int cOff, int ldc,
                             boolean overwrite) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int ai = aOff + p * 8, bi = bOff + bRows[p]; // the row table costs nothing measurable
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector av = FloatVector.broadcast(S, a[ai]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(S, a[ai + 1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(S, a[ai + 2]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(S, a[ai + 3]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(S, a[ai + 4]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(S, a[ai + 5]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
            av = FloatVector.broadcast(S, a[ai + 6]);
            c60 = av.fma(b0, c60);
            c61 = av.fma(b1, c61);
            av = FloatVector.broadcast(S, a[ai + 7]);
            c70 = av.fma(b0, c70);
            c71 = av.fma(b1, c71);
        }
        // written out, not in a helper: a vector passed to a call C2 does not inline gets boxed,
        // and the box spreads back into the loop (measured: 40 instead of 110 GFLOP/s)
        int r0 = cOff, r1 = r0 + ldc, r2 = r1 + ldc, r3 = r2 + ldc, r4 = r3 + ldc, r5 = r4 + ldc, r6 = r5 + ldc, r7 = r6 + ldc;
        if (overwrite) { // the first K block: C's old contents are not read
            c00.intoArray(c, r0);
            c01.intoArray(c, r0 + L);
            c10.intoArray(c, r1);
            c11.intoArray(c, r1 + L);
            c20.intoArray(c, r2);
            c21.intoArray(c, r2 + L);
            c30.intoArray(c, r3);
            c31.intoArray(c, r3 + L);
            c40.intoArray(c, r4);
            c41.intoArray(c, r4 + L);
            c50.intoArray(c, r5);
            c51.intoArray(c, r5 + L);
            c60.intoArray(c, r6);
            c61.intoArray(c, r6 + L);
            c70.intoArray(c, r7);
            c71.intoArray(c, r7 + L);
        } else {
            FloatVector.fromArray(S, c, r0).add(c00).intoArray(c, r0);
            FloatVector.fromArray(S, c, r0 + L).add(c01).intoArray(c, r0 + L);
            FloatVector.fromArray(S, c, r1).add(c10).intoArray(c, r1);
            FloatVector.fromArray(S, c, r1 + L).add(c11).intoArray(c, r1 + L);
            FloatVector.fromArray(S, c, r2).add(c20).intoArray(c, r2);
            FloatVector.fromArray(S, c, r2 + L).add(c21).intoArray(c, r2 + L);
            FloatVector.fromArray(S, c, r3).add(c30).intoArray(c, r3);
            FloatVector.fromArray(S, c, r3 + L).add(c31).intoArray(c, r3 + L);
            FloatVector.fromArray(S, c, r4).add(c40).intoArray(c, r4);
            FloatVector.fromArray(S, c, r4 + L).add(c41).intoArray(c, r4 + L);
            FloatVector.fromArray(S, c, r5).add(c50).intoArray(c, r5);
            FloatVector.fromArray(S, c, r5 + L).add(c51).intoArray(c, r5 + L);
            FloatVector.fromArray(S, c, r6).add(c60).intoArray(c, r6);
            FloatVector.fromArray(S, c, r6 + L).add(c61).intoArray(c, r6 + L);
            FloatVector.fromArray(S, c, r7).add(c70).intoArray(c, r7);
            FloatVector.fromArray(S, c, r7 + L).add(c71).intoArray(c, r7 + L);
        }
    }

    /** The 6-row micro-kernel, for vectors narrower than 512 bits. */
    static void microKernel6(int kc, float[] a, int aOff, float[] b, int bOff, int[] bRows, float[] c, int cOff, int ldc,
                             boolean overwrite) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        // the loop runs on A's index, not on p: counted on p, C2 compiled it to 95 instead of
        // 111 GFLOP/s (one core, kc 256, operands in L1; why is not established); the 8-row
        // kernel measured the same either way
        int aEnd = aOff + kc * 6;
        for (int p = 0, ai = aOff; ai < aEnd; p++, ai += 6) {
            int bi = bOff + bRows[p];
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector av = FloatVector.broadcast(S, a[ai]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(S, a[ai + 1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(S, a[ai + 2]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(S, a[ai + 3]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(S, a[ai + 4]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(S, a[ai + 5]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
        }
        int r0 = cOff, r1 = r0 + ldc, r2 = r1 + ldc, r3 = r2 + ldc, r4 = r3 + ldc, r5 = r4 + ldc;
        if (overwrite) { // the first K block: C's old contents are not read
            c00.intoArray(c, r0);
            c01.intoArray(c, r0 + L);
            c10.intoArray(c, r1);
            c11.intoArray(c, r1 + L);
            c20.intoArray(c, r2);
            c21.intoArray(c, r2 + L);
            c30.intoArray(c, r3);
            c31.intoArray(c, r3 + L);
            c40.intoArray(c, r4);
            c41.intoArray(c, r4 + L);
            c50.intoArray(c, r5);
            c51.intoArray(c, r5 + L);
        } else {
            FloatVector.fromArray(S, c, r0).add(c00).intoArray(c, r0);
            FloatVector.fromArray(S, c, r0 + L).add(c01).intoArray(c, r0 + L);
            FloatVector.fromArray(S, c, r1).add(c10).intoArray(c, r1);
            FloatVector.fromArray(S, c, r1 + L).add(c11).intoArray(c, r1 + L);
            FloatVector.fromArray(S, c, r2).add(c20).intoArray(c, r2);
            FloatVector.fromArray(S, c, r2 + L).add(c21).intoArray(c, r2 + L);
            FloatVector.fromArray(S, c, r3).add(c30).intoArray(c, r3);
            FloatVector.fromArray(S, c, r3 + L).add(c31).intoArray(c, r3 + L);
            FloatVector.fromArray(S, c, r4).add(c40).intoArray(c, r4);
            FloatVector.fromArray(S, c, r4 + L).add(c41).intoArray(c, r4 + L);
            FloatVector.fromArray(S, c, r5).add(c50).intoArray(c, r5);
            FloatVector.fromArray(S, c, r5 + L).add(c51).intoArray(c, r5 + L);
        }
    }

    @Override
    public void gatherMicroKernel(int kc, float[] a, int[] aRows, int rowsOff, int[] aCols, int firstCol,
                                  float[] b, int bOff, float[] c, int cOff, int ldc, boolean overwrite) {
        if (MR == 8) {
            gatherMicroKernel8(kc, a, aRows, rowsOff, aCols, firstCol, b, bOff, c, cOff, ldc, overwrite);
        } else {
            gatherMicroKernel6(kc, a, aRows, rowsOff, aCols, firstCol, b, bOff, c, cOff, ldc, overwrite);
        }
    }

    /**
     * The 8-row gathered micro-kernel; package-private so that tests reach both on any machine.
     * Written out like {@link #microKernel8}, stores included, for the same reason (vectors
     * handed to a helper C2 does not inline get boxed). Its speed depends on the JVM launch
     * (98 or 118 GFLOP/s measured here, under G1 and the Parallel collector alike; see
     * docs/cpu-performance-log.md): the 8 row offsets, the bounds checks and the pointers need
     * more general registers than there are, and in slow launches C2 parks loop values in
     * vector registers (moves on the FMA units) instead of on the stack.
     */
    static void gatherMicroKernel8(int kc, float[] a, int[] aRows, int rowsOff, int[] aCols, int firstCol,
                                    float[] b, int bOff, float[] c, int cOff, int ldc, boolean overwrite) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        int t0 = aRows[rowsOff + 0], t1 = aRows[rowsOff + 1], t2 = aRows[rowsOff + 2], t3 = aRows[rowsOff + 3], t4 = aRows[rowsOff + 4], t5 = aRows[rowsOff + 5], t6 = aRows[rowsOff + 6], t7 = aRows[rowsOff + 7];
        for (int q = 0; q < kc; q++) {
            int col = aCols[firstCol + q], bi = bOff + q * NR;
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector av = FloatVector.broadcast(S, a[t0 + col]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(S, a[t1 + col]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(S, a[t2 + col]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(S, a[t3 + col]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(S, a[t4 + col]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(S, a[t5 + col]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
            av = FloatVector.broadcast(S, a[t6 + col]);
            c60 = av.fma(b0, c60);
            c61 = av.fma(b1, c61);
            av = FloatVector.broadcast(S, a[t7 + col]);
            c70 = av.fma(b0, c70);
            c71 = av.fma(b1, c71);
        }
        int r0 = cOff, r1 = r0 + ldc, r2 = r1 + ldc, r3 = r2 + ldc, r4 = r3 + ldc, r5 = r4 + ldc, r6 = r5 + ldc, r7 = r6 + ldc;
        if (overwrite) {
            c00.intoArray(c, r0);
            c01.intoArray(c, r0 + L);
            c10.intoArray(c, r1);
            c11.intoArray(c, r1 + L);
            c20.intoArray(c, r2);
            c21.intoArray(c, r2 + L);
            c30.intoArray(c, r3);
            c31.intoArray(c, r3 + L);
            c40.intoArray(c, r4);
            c41.intoArray(c, r4 + L);
            c50.intoArray(c, r5);
            c51.intoArray(c, r5 + L);
            c60.intoArray(c, r6);
            c61.intoArray(c, r6 + L);
            c70.intoArray(c, r7);
            c71.intoArray(c, r7 + L);
        } else {
            FloatVector.fromArray(S, c, r0).add(c00).intoArray(c, r0);
            FloatVector.fromArray(S, c, r0 + L).add(c01).intoArray(c, r0 + L);
            FloatVector.fromArray(S, c, r1).add(c10).intoArray(c, r1);
            FloatVector.fromArray(S, c, r1 + L).add(c11).intoArray(c, r1 + L);
            FloatVector.fromArray(S, c, r2).add(c20).intoArray(c, r2);
            FloatVector.fromArray(S, c, r2 + L).add(c21).intoArray(c, r2 + L);
            FloatVector.fromArray(S, c, r3).add(c30).intoArray(c, r3);
            FloatVector.fromArray(S, c, r3 + L).add(c31).intoArray(c, r3 + L);
            FloatVector.fromArray(S, c, r4).add(c40).intoArray(c, r4);
            FloatVector.fromArray(S, c, r4 + L).add(c41).intoArray(c, r4 + L);
            FloatVector.fromArray(S, c, r5).add(c50).intoArray(c, r5);
            FloatVector.fromArray(S, c, r5 + L).add(c51).intoArray(c, r5 + L);
            FloatVector.fromArray(S, c, r6).add(c60).intoArray(c, r6);
            FloatVector.fromArray(S, c, r6 + L).add(c61).intoArray(c, r6 + L);
            FloatVector.fromArray(S, c, r7).add(c70).intoArray(c, r7);
            FloatVector.fromArray(S, c, r7 + L).add(c71).intoArray(c, r7 + L);
        }
    }

    /**
     * Rows of whole vectors, and only with 16 lanes: the tile keeps 27 accumulators and 4
     * operands, 31 vector registers, which AVX-512 has (32) and AVX2 (16) does not.
     */
    @Override
    public boolean filterGradient3x3Fits(int outW) {
        return L >= 16 && outW > 0 && outW % L == 0;
    }

    /**
     * Vectors run along the output positions of a row, both operands read in place (no
     * transposed copy of dOut, no patch matrix): 27 accumulators, one per output channel and
     * tap, each a vector of partial sums over every L-th position; per L positions, 3 loads of
     * dOut and 9 of the bordered plane (tap (r, s) is the load at row r, column s further on)
     * feed 27 fmas. Rows of whole vectors only ({@link #filterGradient3x3Fits}): done one by
     * one, a row's last positions cost 16 times as much each, and the large layer's rows of 56
     * ran 3-4 times slower than on the gathered path. One flat loop over (row, vector) pairs,
     * not a loop of rows around a loop of vectors: accumulators carried through nested loops are
     * typed plain FloatVector when C2 parses them, and their stores then ran as Java code on
     * boxed vectors (a probe of a similar kernel: 6 against 103 GFLOP/s). Written out like the
     * micro-kernels, for the same reason.
     */
    @Override
    public void filterGradient3x3(float[] dOut, int d0, int d1, int d2, int outH, int outW, float[] padded, int base, int wp,
                                  float[] sums, float[] lanes) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c03 = c00, c04 = c00, c05 = c00, c06 = c00, c07 = c00, c08 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00, c14 = c00, c15 = c00, c16 = c00, c17 = c00, c18 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00, c24 = c00, c25 = c00, c26 = c00, c27 = c00, c28 = c00;
        int perRow = outW / L, steps = outH * perRow;
        int v = 0, q = 0, row = base; // v: this vector's index in its row; q, row: where the row starts in dOut and padded
        for (int step = 0; step < steps; step++) {
            int x0 = row + v * L, x1 = x0 + wp, x2 = x1 + wp, y = q + v * L;
            FloatVector g0 = FloatVector.fromArray(S, dOut, d0 + y);
            FloatVector g1 = FloatVector.fromArray(S, dOut, d1 + y);
            FloatVector g2 = FloatVector.fromArray(S, dOut, d2 + y);
            FloatVector x = FloatVector.fromArray(S, padded, x0);
            c00 = x.fma(g0, c00);
            c10 = x.fma(g1, c10);
            c20 = x.fma(g2, c20);
            x = FloatVector.fromArray(S, padded, x0 + 1);
            c01 = x.fma(g0, c01);
            c11 = x.fma(g1, c11);
            c21 = x.fma(g2, c21);
            x = FloatVector.fromArray(S, padded, x0 + 2);
            c02 = x.fma(g0, c02);
            c12 = x.fma(g1, c12);
            c22 = x.fma(g2, c22);
            x = FloatVector.fromArray(S, padded, x1);
            c03 = x.fma(g0, c03);
            c13 = x.fma(g1, c13);
            c23 = x.fma(g2, c23);
            x = FloatVector.fromArray(S, padded, x1 + 1);
            c04 = x.fma(g0, c04);
            c14 = x.fma(g1, c14);
            c24 = x.fma(g2, c24);
            x = FloatVector.fromArray(S, padded, x1 + 2);
            c05 = x.fma(g0, c05);
            c15 = x.fma(g1, c15);
            c25 = x.fma(g2, c25);
            x = FloatVector.fromArray(S, padded, x2);
            c06 = x.fma(g0, c06);
            c16 = x.fma(g1, c16);
            c26 = x.fma(g2, c26);
            x = FloatVector.fromArray(S, padded, x2 + 1);
            c07 = x.fma(g0, c07);
            c17 = x.fma(g1, c17);
            c27 = x.fma(g2, c27);
            x = FloatVector.fromArray(S, padded, x2 + 2);
            c08 = x.fma(g0, c08);
            c18 = x.fma(g1, c18);
            c28 = x.fma(g2, c28);
            if (++v == perRow) {
                v = 0;
                q += outW;
                row += wp;
            }
        }
        c00.intoArray(lanes, 0);
        c01.intoArray(lanes, L);
        c02.intoArray(lanes, 2 * L);
        c03.intoArray(lanes, 3 * L);
        c04.intoArray(lanes, 4 * L);
        c05.intoArray(lanes, 5 * L);
        c06.intoArray(lanes, 6 * L);
        c07.intoArray(lanes, 7 * L);
        c08.intoArray(lanes, 8 * L);
        c10.intoArray(lanes, 9 * L);
        c11.intoArray(lanes, 10 * L);
        c12.intoArray(lanes, 11 * L);
        c13.intoArray(lanes, 12 * L);
        c14.intoArray(lanes, 13 * L);
        c15.intoArray(lanes, 14 * L);
        c16.intoArray(lanes, 15 * L);
        c17.intoArray(lanes, 16 * L);
        c18.intoArray(lanes, 17 * L);
        c20.intoArray(lanes, 18 * L);
        c21.intoArray(lanes, 19 * L);
        c22.intoArray(lanes, 20 * L);
        c23.intoArray(lanes, 21 * L);
        c24.intoArray(lanes, 22 * L);
        c25.intoArray(lanes, 23 * L);
        c26.intoArray(lanes, 24 * L);
        c27.intoArray(lanes, 25 * L);
        c28.intoArray(lanes, 26 * L);
        for (int j = 0; j < 27; j++) {
            sums[j] = sumOfLanes(lanes, j * L);
        }
    }

    @Override
    public int wideMr() {
        return WIDE_MR;
    }

    @Override
    public void wideGatherMicroKernel(int kc, float[] a, int[] aRows, int rowsOff, int[] aCols, int firstCol,
                                      float[] b, int bOff, float[] c, int cOff, int ldc) {
        if (WIDE_MR == 0) {
            throw new UnsupportedOperationException("no wide gathered tile with " + L + "-lane vectors");
        }
        wideGatherMicroKernel6(kc, a, aRows, rowsOff, aCols, firstCol, b, bOff, c, cOff, ldc);
    }

    /**
     * The wide gathered micro-kernel: 6 rows x 4 vectors (24 accumulators, 4 B vectors and a
     * broadcast: 29 of AVX-512's 32 registers), written out like {@link #gatherMicroKernel8};
     * package-private so that tests reach it. Its loop holds 6 row offsets instead of 8 (see
     * {@link FastKernels#wideGatherMicroKernel}); measured here on [16384,64] x [64,64], one
     * thread, 12 launches, in a first form that read its two slivers from separate places:
     * 104-105 GFLOP/s in every one, the 8-row kernel 104-107 in 7 and 88-89 in 5; in this form,
     * through Gemm on 2 threads, 194-209 (docs/cpu-performance-log.md).
     */
    static void wideGatherMicroKernel6(int kc, float[] a, int[] aRows, int rowsOff, int[] aCols, int firstCol,
                                       float[] b, int bOff, float[] c, int cOff, int ldc) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S), c03 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c12 = FloatVector.zero(S), c13 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c22 = FloatVector.zero(S), c23 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S), c32 = FloatVector.zero(S), c33 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S), c42 = FloatVector.zero(S), c43 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S), c52 = FloatVector.zero(S), c53 = FloatVector.zero(S);
        int t0 = aRows[rowsOff + 0], t1 = aRows[rowsOff + 1], t2 = aRows[rowsOff + 2], t3 = aRows[rowsOff + 3], t4 = aRows[rowsOff + 4], t5 = aRows[rowsOff + 5];
        for (int q = 0; q < kc; q++) {
            int col = aCols[firstCol + q], bi = bOff + q * 2 * NR;
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector b2 = FloatVector.fromArray(S, b, bi + 2 * L);
            FloatVector b3 = FloatVector.fromArray(S, b, bi + 3 * L);
            FloatVector av = FloatVector.broadcast(S, a[t0 + col]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            c02 = av.fma(b2, c02);
            c03 = av.fma(b3, c03);
            av = FloatVector.broadcast(S, a[t1 + col]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            c12 = av.fma(b2, c12);
            c13 = av.fma(b3, c13);
            av = FloatVector.broadcast(S, a[t2 + col]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            c22 = av.fma(b2, c22);
            c23 = av.fma(b3, c23);
            av = FloatVector.broadcast(S, a[t3 + col]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            c32 = av.fma(b2, c32);
            c33 = av.fma(b3, c33);
            av = FloatVector.broadcast(S, a[t4 + col]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            c42 = av.fma(b2, c42);
            c43 = av.fma(b3, c43);
            av = FloatVector.broadcast(S, a[t5 + col]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
            c52 = av.fma(b2, c52);
            c53 = av.fma(b3, c53);
        }
        // stores only (see FastKernels#wideGatherMicroKernel for why C is not added onto here)
        int r0 = cOff, r1 = r0 + ldc, r2 = r1 + ldc, r3 = r2 + ldc, r4 = r3 + ldc, r5 = r4 + ldc;
        c00.intoArray(c, r0);
        c01.intoArray(c, r0 + L);
        c02.intoArray(c, r0 + 2 * L);
        c03.intoArray(c, r0 + 3 * L);
        c10.intoArray(c, r1);
        c11.intoArray(c, r1 + L);
        c12.intoArray(c, r1 + 2 * L);
        c13.intoArray(c, r1 + 3 * L);
        c20.intoArray(c, r2);
        c21.intoArray(c, r2 + L);
        c22.intoArray(c, r2 + 2 * L);
        c23.intoArray(c, r2 + 3 * L);
        c30.intoArray(c, r3);
        c31.intoArray(c, r3 + L);
        c32.intoArray(c, r3 + 2 * L);
        c33.intoArray(c, r3 + 3 * L);
        c40.intoArray(c, r4);
        c41.intoArray(c, r4 + L);
        c42.intoArray(c, r4 + 2 * L);
        c43.intoArray(c, r4 + 3 * L);
        c50.intoArray(c, r5);
        c51.intoArray(c, r5 + L);
        c52.intoArray(c, r5 + 2 * L);
        c53.intoArray(c, r5 + 3 * L);
    }

    /** The 6-row gathered micro-kernel; package-private so that tests reach both on any machine. */
    static void gatherMicroKernel6(int kc, float[] a, int[] aRows, int rowsOff, int[] aCols, int firstCol,
                                    float[] b, int bOff, float[] c, int cOff, int ldc, boolean overwrite) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        int t0 = aRows[rowsOff + 0], t1 = aRows[rowsOff + 1], t2 = aRows[rowsOff + 2], t3 = aRows[rowsOff + 3], t4 = aRows[rowsOff + 4], t5 = aRows[rowsOff + 5];
        // counted on B's index, as microKernel6 on A's: 88 against 81-84 GFLOP/s on one core
        // (the 8-row kernel measured no better so)
        int bEnd = bOff + kc * NR;
        for (int q = firstCol, bi = bOff; bi < bEnd; q++, bi += NR) {
            int col = aCols[q];
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector av = FloatVector.broadcast(S, a[t0 + col]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(S, a[t1 + col]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(S, a[t2 + col]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(S, a[t3 + col]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(S, a[t4 + col]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(S, a[t5 + col]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
        }
        int r0 = cOff, r1 = r0 + ldc, r2 = r1 + ldc, r3 = r2 + ldc, r4 = r3 + ldc, r5 = r4 + ldc;
        if (overwrite) {
            c00.intoArray(c, r0);
            c01.intoArray(c, r0 + L);
            c10.intoArray(c, r1);
            c11.intoArray(c, r1 + L);
            c20.intoArray(c, r2);
            c21.intoArray(c, r2 + L);
            c30.intoArray(c, r3);
            c31.intoArray(c, r3 + L);
            c40.intoArray(c, r4);
            c41.intoArray(c, r4 + L);
            c50.intoArray(c, r5);
            c51.intoArray(c, r5 + L);
        } else {
            FloatVector.fromArray(S, c, r0).add(c00).intoArray(c, r0);
            FloatVector.fromArray(S, c, r0 + L).add(c01).intoArray(c, r0 + L);
            FloatVector.fromArray(S, c, r1).add(c10).intoArray(c, r1);
            FloatVector.fromArray(S, c, r1 + L).add(c11).intoArray(c, r1 + L);
            FloatVector.fromArray(S, c, r2).add(c20).intoArray(c, r2);
            FloatVector.fromArray(S, c, r2 + L).add(c21).intoArray(c, r2 + L);
            FloatVector.fromArray(S, c, r3).add(c30).intoArray(c, r3);
            FloatVector.fromArray(S, c, r3 + L).add(c31).intoArray(c, r3 + L);
            FloatVector.fromArray(S, c, r4).add(c40).intoArray(c, r4);
            FloatVector.fromArray(S, c, r4 + L).add(c41).intoArray(c, r4 + L);
            FloatVector.fromArray(S, c, r5).add(c50).intoArray(c, r5);
            FloatVector.fromArray(S, c, r5 + L).add(c51).intoArray(c, r5 + L);
        }
    }

    @Override
    public void add(float[] a, int a0, float[] b, int b0, float[] out, int o, int len) {
        int i = 0;
        for (int bound = S.loopBound(len); i < bound; i += L) {
            FloatVector.fromArray(S, a, a0 + i).add(FloatVector.fromArray(S, b, b0 + i)).intoArray(out, o + i);
        }
        for (; i < len; i++) {
            out[o + i] = a[a0 + i] + b[b0 + i];
        }
    }

    @Override
    public void mul(float[] a, float[] b, float[] out, int from, int to) {
        int i = from;
        for (int bound = from + S.loopBound(to - from); i < bound; i += L) {
            FloatVector.fromArray(S, a, i).mul(FloatVector.fromArray(S, b, i)).intoArray(out, i);
        }
        for (; i < to; i++) {
            out[i] = a[i] * b[i];
        }
    }

    @Override
    public void scale(float alpha, float[] x, float[] out, int from, int to) {
        int i = from;
        for (int bound = from + S.loopBound(to - from); i < bound; i += L) {
            FloatVector.fromArray(S, x, i).mul(alpha).intoArray(out, i);
        }
        for (; i < to; i++) {
            out[i] = alpha * x[i];
        }
    }

    @Override
    public void axpy(float alpha, float[] x, float[] y, int from, int to) {
        int i = from;
        for (int bound = from + S.loopBound(to - from); i < bound; i += L) {
            // two roundings (multiply, then add) as the reference's y[i] += alpha * x[i], not one fma
            FloatVector.fromArray(S, x, i).mul(alpha).add(FloatVector.fromArray(S, y, i)).intoArray(y, i);
        }
        for (; i < to; i++) {
            y[i] += alpha * x[i];
        }
    }

    @Override
    public void addScalar(float[] x, int x0, float value, float[] out, int o, int len) {
        int i = 0;
        for (int bound = S.loopBound(len); i < bound; i += L) {
            FloatVector.fromArray(S, x, x0 + i).add(value).intoArray(out, o + i);
        }
        for (; i < len; i++) {
            out[o + i] = x[x0 + i] + value;
        }
    }

    @Override
    public void relu(float[] x, float[] out, int from, int to) {
        int i = from;
        for (int bound = from + S.loopBound(to - from); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, i);
            // x <= 0 is false for NaN, so NaN passes through; -0 becomes +0
            v.blend(0f, v.compare(VectorOperators.LE, 0f)).intoArray(out, i);
        }
        for (; i < to; i++) {
            out[i] = x[i] > 0 || Float.isNaN(x[i]) ? x[i] : 0f;
        }
    }

    @Override
    public void reluBackward(float[] x, float[] dy, float[] out, int from, int to) {
        int i = from;
        for (int bound = from + S.loopBound(to - from); i < bound; i += L) {
            FloatVector xv = FloatVector.fromArray(S, x, i);
            FloatVector g = FloatVector.zero(S).blend(FloatVector.fromArray(S, dy, i), xv.compare(VectorOperators.GT, 0f));
            g.blend(xv, xv.test(VectorOperators.IS_NAN)).intoArray(out, i);
        }
        for (; i < to; i++) {
            out[i] = x[i] > 0 ? dy[i] : Float.isNaN(x[i]) ? Float.NaN : 0f;
        }
    }

    @Override
    public float sum(float[] x, int from, int to) {
        FloatVector acc = FloatVector.zero(S);
        int i = from;
        for (int bound = from + S.loopBound(to - from); i < bound; i += L) {
            acc = FloatVector.fromArray(S, x, i).add(acc); // the running sum as argument, not receiver (see expPass)
        }
        float[] lanes = new float[L];
        acc.intoArray(lanes, 0);
        float s = sumOfLanes(lanes);
        for (; i < to; i++) {
            s += x[i];
        }
        return s;
    }

    /**
     * Each row in three passes: its maximum, its exps and their sum, then the division. The
     * maximum of the next row is found during this row's exps ({@link #expPass}), so that the
     * next row's loads, which come from memory for large inputs, overlap the exp arithmetic
     * instead of waiting in a pass of their own. The lane reductions of every row go through
     * one array made here ({@link #sumOfLanes}).
     */
    @Override
    public void softmaxRows(float[] x, float[] y, int off, int rows, int cols) {
        if (rows == 0) {
            return;
        }
        int whole = S.loopBound(cols);
        float[] nextMax = new float[1], lanes = new float[L];
        float max = tailMax(x, off + whole, off + cols, rowMax(x, off, off + whole));
        for (int r = 0; r < rows; r++) {
            int from = off + r * cols, bound = from + whole, end = from + cols;
            int ahead = r + 1 < rows ? cols : 0; // the last row looks at itself, its result unused
            // lanes add up in their own order (as in sum), so the total, and y after it, may
            // differ in the last bits from the scalar kernels' running sum; each exp is the same bits
            float sum = expPass(x, y, from, bound, max, ahead, nextMax, lanes);
            for (int i = bound; i < end; i++) {
                y[i] = FloatExp.expOfDifference(x[i], max);
                sum += y[i];
            }
            float inv = 1f / sum;
            // inv broadcast once per row: with mul(inv), a broadcast in every iteration, some JVM
            // launches (9 of 9 of a probe, 1 JMH fork in 6) compiled that broadcast as Java code
            // allocating a vector each time (docs/cpu-performance-log.md, "A third trap of the
            // JIT")
            FloatVector invV = FloatVector.broadcast(S, inv);
            int i = from;
            for (; i < bound; i += L) {
                FloatVector.fromArray(S, y, i).mul(invV).intoArray(y, i);
            }
            for (; i < end; i++) {
                y[i] *= inv;
            }
            max = tailMax(x, bound + ahead, end + ahead, nextMax[0]);
        }
    }

    /** max, then the maximum with x[from, to) by Math.max (a NaN there makes it NaN, as in the reference). */
    private static float tailMax(float[] x, int from, int to, float max) {
        for (int i = from; i < to; i++) {
            max = Math.max(max, x[i]);
        }
        return max;
    }

    @Override
    public void softmaxBackwardRows(float[] y, float[] dy, float[] dx, int off, int rows, int cols) {
        float[] lanes = new float[L];
        for (int r = 0; r < rows; r++) {
            softmaxBackwardRow(y, dy, dx, off + r * cols, cols, lanes);
        }
    }

    private static void softmaxBackwardRow(float[] y, float[] dy, float[] dx, int off, int cols, float[] lanes) {
        int end = off + cols, bound = off + S.loopBound(cols);
        FloatVector dotV = FloatVector.zero(S);
        int i = off;
        for (; i < bound; i += L) {
            dotV = FloatVector.fromArray(S, dy, i).fma(FloatVector.fromArray(S, y, i), dotV);
        }
        dotV.intoArray(lanes, 0);
        float dot = sumOfLanes(lanes);
        for (; i < end; i++) {
            dot += dy[i] * y[i];
        }
        FloatVector dotB = FloatVector.broadcast(S, dot);
        for (i = off; i < bound; i += L) {
            FloatVector.fromArray(S, dy, i).sub(dotB).mul(FloatVector.fromArray(S, y, i)).intoArray(dx, i);
        }
        for (; i < end; i++) {
            dx[i] = y[i] * (dy[i] - dot);
        }
    }

    /**
     * The largest of x[from, to), a whole number of vectors, found on the floats' bit patterns
     * read as ints (see {@link #maxOfBits}): per lane the largest and the smallest int, two
     * integer instructions a vector. A float compare and blend, which C2 in JDK 17 builds from
     * mask conversions on AVX-512, took 21 instead of 17.5 cycles a vector in the exp pass that
     * tracks the next row's maximum ({@link #expPass}; one row of 1024 in L1, 2026-11-26).
     * Integer max and min are exact, so reducing the lanes in any order gives the same bits.
     */
    static float rowMax(float[] x, int from, int to) {
        IntVector hi = IntVector.broadcast(INT_S, Integer.MIN_VALUE), lo = IntVector.broadcast(INT_S, NO_VALUES);
        for (int i = from; i < to; i += L) {
            IntVector bits = (IntVector) FloatVector.fromArray(S, x, i).reinterpretShape(INT_S, 0);
            // the running values as arguments, not receivers (see expPass)
            hi = bits.lanewise(VectorOperators.MAX, hi);
            lo = bits.lanewise(VectorOperators.MIN, lo);
        }
        return maxOfBits(hi.reduceLanes(VectorOperators.MAX), lo.reduceLanes(VectorOperators.MIN));
    }

    /**
     * Where the smallest-int tracker starts: -inf's bits, above those of every negative float
     * but -inf and -NaN, so that no values (a row shorter than a vector) give -inf, the start
     * of the reference's Math.max.
     */
    private static final int NO_VALUES = Float.floatToRawIntBits(Float.NEGATIVE_INFINITY);

    /**
     * The largest float of a set, from the largest ({@code hi}) and smallest ({@code lo}) of
     * their bit patterns read as signed ints. Those order the floats with the sign bit clear
     * ascending (+0 lowest, +NaN above +inf), and the ones with it set descending (-0 is
     * Integer.MIN_VALUE, larger magnitudes are larger ints). So a non-negative {@code hi} is
     * the largest float, and when every float has its sign bit set the largest is the one
     * nearest zero, {@code lo}. A NaN can become the maximum (+NaN always, -NaN when every value
     * is negative) or not: either way the whole softmax row is NaN, as in the reference
     * (Math.max), since x - NaN and NaN's own exp are NaN ({@link #expPass} keeps NaN lanes),
     * and so is the sum every value is divided by. +0 wins over -0, as in Math.max.
     */
    private static float maxOfBits(int hi, int lo) {
        return Float.intBitsToFloat(hi >= 0 ? hi : lo);
    }

    /**
     * {@code y[i] = exp(x[i] - m)} for i in [from, to), a whole number of vectors, by
     * {@link FloatExp#expOfDifference}'s operations in the same order in every lane, so each
     * lane has the scalar function's bits; returns the sum of the results. The constants are
     * broadcast once, into locals: as scalars or static final vectors they were re-broadcast or
     * reloaded every iteration. A last part shorter than a vector goes through the scalar
     * function, which gives the same bits.
     *
     * <p>Written so that C2 compiles every vector operation of the loop as an intrinsic in
     * every JVM launch, which two rules ensure (see docs/cpu-performance-log.md, "A third trap
     * of the JIT"):
     * <ul>
     *   <li>One vector per iteration. With two side by side (6% faster per element where it
     *       compiled well), parsing the loop passed C2's node budget for inlining at parse time
     *       (NodeCountInliningCutoff); the calls after that point were inlined only after
     *       parsing, their results typed as plain FloatVector, and in some launches the stores
     *       of y then ran as Java code on boxed vectors (the large training step allocated 107
     *       instead of 2 MB a step and ran 10-40% slower).</li>
     *   <li>No running value (sum, maximum) as the receiver of an operation, only as its
     *       argument: a loop's running values are typed plain FloatVector while the loop is
     *       parsed, so an operation on one is bound through a type profile, which fails once the
     *       compile has seen too many recorded type-check traps.</li>
     * </ul>
     *
     * <p>Alongside, {@code maxAhead[0]} gets the maximum of x[from + ahead, to + ahead) (on
     * the bit patterns, as in {@link #rowMax}; the scalar part by Math.max): the next row's,
     * whose loads then overlap this row's arithmetic. {@code lanes} is scratch of at least L
     * floats for the two lane reductions at the end ({@link #sumOfLanes}).
     */
    static float expPass(float[] x, float[] y, int from, int to, float m, int ahead, float[] maxAhead, float[] lanes) {
        FloatVector mv = FloatVector.broadcast(S, m);
        FloatVector log2e = FloatVector.broadcast(S, FloatExp.LOG2E), shifter = FloatVector.broadcast(S, FloatExp.SHIFTER);
        FloatVector ln2Hi = FloatVector.broadcast(S, -FloatExp.LN2_HI), ln2Lo = FloatVector.broadcast(S, -FloatExp.LN2_LO);
        FloatVector c6 = FloatVector.broadcast(S, FloatExp.C6_DOWN), c5 = FloatVector.broadcast(S, FloatExp.C5_DOWN);
        FloatVector c4 = FloatVector.broadcast(S, FloatExp.C4_DOWN), c3 = FloatVector.broadcast(S, FloatExp.C3_DOWN);
        FloatVector c2 = FloatVector.broadcast(S, FloatExp.C2_DOWN), one = FloatVector.broadcast(S, FloatExp.ONE_DOWN);
        FloatVector low = FloatVector.broadcast(S, FloatExp.LOW);
        FloatVector zero = FloatVector.zero(S);
        // n + BIAS_UP in one add: n is kf's bits minus SHIFTER_BITS (int arithmetic wraps alike)
        IntVector bias = IntVector.broadcast(INT_S, FloatExp.BIAS_UP - FloatExp.SHIFTER_BITS);
        FloatVector sum = zero;
        IntVector hi = IntVector.broadcast(INT_S, Integer.MIN_VALUE), lo = IntVector.broadcast(INT_S, NO_VALUES);
        int i = from;
        for (; i + L <= to; i += L) {
            IntVector next = (IntVector) FloatVector.fromArray(S, x, i + ahead).reinterpretShape(INT_S, 0);
            hi = next.lanewise(VectorOperators.MAX, hi);
            lo = next.lanewise(VectorOperators.MIN, lo);
            FloatVector xv = FloatVector.fromArray(S, x, i);
            FloatVector s = xv.sub(mv);
            FloatVector b = s.sub(xv); // TwoSum of x and -m: e is what rounding s lost
            FloatVector e = xv.sub(s.sub(b)).sub(b.add(mv));
            FloatVector kf = s.fma(log2e, shifter);
            FloatVector k = kf.sub(shifter);
            FloatVector r = k.fma(ln2Hi, s);
            r = k.fma(ln2Lo, r.add(e));
            FloatVector p = r.fma(c6, c5);
            p = p.fma(r, c4);
            p = p.fma(r, c3);
            p = p.fma(r, c2);
            p = p.fma(r, one);
            p = p.fma(r, one);
            // reinterpretShape to the constant species, not reinterpretAsFloats(), whose target
            // species C2 sometimes failed to see as a constant: the cast then ran as a call on
            // boxed vectors, 6 times slower (JDK 17, seen after an unrelated change elsewhere)
            FloatVector up = (FloatVector) ((IntVector) kf.reinterpretShape(INT_S, 0)).add(bias).lanewise(VectorOperators.LSHL, 23).reinterpretShape(S, 0);
            // the scalar code returns 0 early below LOW; here the lanes are computed and replaced
            FloatVector yv = p.mul(up).blend(zero, s.compare(VectorOperators.LT, low));
            yv.intoArray(y, i);
            sum = yv.add(sum);
        }
        sum.intoArray(lanes, 0);
        float total = sumOfLanes(lanes);
        float maxNext = maxOfBits(hi.reduceLanes(VectorOperators.MAX), lo.reduceLanes(VectorOperators.MIN));
        for (; i < to; i++) {
            y[i] = FloatExp.expOfDifference(x[i], m);
            total += y[i];
            maxNext = Math.max(maxNext, x[i + ahead]);
        }
        maxAhead[0] = maxNext;
        return total;
    }

    /**
     * lanes[0, L) added in index order: a vector's lanes, which the caller stored there.
     * reduceLanes(ADD) leaves the order open, and the interpreter and the compiler may pick
     * different ones: same input, different bits. The caller stores the vector itself and
     * hands over only the array: a vector passed to a method C2 does not inline is boxed, and
     * {@link #expPass} is past C2's inlining budget (NodeCountInliningCutoff), so helpers that
     * took the vector cost two boxes per softmax row (193 bytes a row at 1024^2). The array
     * is scratch the caller makes once for many rows: the compiler does not remove an array a
     * vector is stored into, and one per call was two thirds of what the small training step
     * allocated.
     */
    private static float sumOfLanes(float[] lanes) {
        return sumOfLanes(lanes, 0);
    }

    /** As {@link #sumOfLanes(float[])}, for the vector stored at {@code lanes[from]}. */
    private static float sumOfLanes(float[] lanes, int from) {
        float s = 0;
        for (int i = from; i < from + L; i++) {
            s += lanes[i];
        }
        return s;
    }
}

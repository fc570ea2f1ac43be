package dev.tensorbackend.cpu;

import java.util.Arrays;

/**
 * One K block of a GEMM's B operand as the micro-kernel reads it: {@code kc} rows, cut into
 * {@code nr}-column slivers. Row p of a sliver is {@code nr} consecutive floats; a sliver is
 * either packed here (rows {@code nr} apart) or, where the source already holds each of its
 * rows contiguously (convolution patches with stride 1), read in place through a table of
 * row offsets, which saves copying it.
 */
final class BPanel {
    /** {@link #sliverOffset} value of a sliver that is packed. */
    static final int PACKED = -1;

    /** Packed slivers: sliver t at {@code t * nr * kc}, row p at {@code + p * nr}. */
    float[] packed = new float[0];
    /** Row offsets of a packed sliver: {@code p * nr}. */
    int[] packedRows = new int[0];
    /** Where in-place slivers live. */
    float[] source;
    /** Row p of in-place sliver t is at {@code source[sliverOffset[t] + sourceRows[p]]}. */
    int[] sourceRows = new int[0];
    /** Per sliver: {@link #PACKED}, or the offset of its row 0 in {@link #source}. */
    int[] sliverOffset = new int[0];
    /**
     * A source's tables of the runs it copies (see {@link ImagePatches#packPanel}): kept here,
     * with the thread's other packing buffers, so that packing a panel allocates nothing (new
     * tables on every call were three quarters of the bytes the small training step allocated).
     */
    int[] runTo = new int[0], runFrom = new int[0], runLength = new int[0];

    /** Sized for a {@code kc x nc} block; every sliver marked packed until a source says otherwise. */
    BPanel prepare(int kc, int nc, int nr) {
        int slivers = (nc + nr - 1) / nr;
        if (packed.length < slivers * nr * kc) { // whole slivers: the last one is zero-padded
            packed = new float[slivers * nr * kc];
        }
        if (packedRows.length < kc || (kc > 1 && packedRows[1] != nr)) {
            packedRows = new int[Math.max(kc, packedRows.length)];
            for (int p = 0; p < packedRows.length; p++) {
                packedRows[p] = p * nr;
            }
        }
        if (sourceRows.length < kc) {
            sourceRows = new int[kc];
        }
        if (sliverOffset.length < slivers) {
            sliverOffset = new int[slivers];
        }
        Arrays.fill(sliverOffset, PACKED);
        source = null;
        return this;
    }

    /** The run tables, at least {@code runs} long. */
    void ensureRuns(int runs) {
        if (runTo.length < runs) {
            runTo = new int[runs];
            runFrom = new int[runs];
            runLength = new int[runs];
        }
    }
}

package dev.tensorbackend.cpu;

/**
 * Where the A operand of a {@link Gemm} comes from. A is only ever read by packing:
 * {@link Gemm.Operand} packs a stored matrix in either layout, so a transposed A is never
 * transposed in memory.
 */
interface BlockSource {
    /**
     * Rows [ic, ic+mcur) x columns [pc, pc+kc) of op(A) into {@code dst} as {@code mr}-row
     * slivers: sliver s starts at {@code s * mr * kc} and holds, for each column p, the
     * {@code mr} values of that column; rows past mcur are zero.
     */
    void packBlock(int ic, int pc, int mcur, int kc, int mr, float[] dst);

    /** The same source with row 0 moved to {@code rows}. */
    BlockSource shiftedRows(int rows);
}

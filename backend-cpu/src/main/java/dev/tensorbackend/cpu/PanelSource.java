package dev.tensorbackend.cpu;

/**
 * Where the B operand of a {@link Gemm} comes from. B is only ever read by packing, so it
 * need not exist as a matrix: {@link Gemm.Operand} packs a stored matrix (either layout),
 * {@link ImagePatches} packs im2col patches straight from an image.
 */
interface PanelSource {
    /**
     * Rows [pc, pc+kc) x columns [jc, jc+ncur) of op(B) into {@code dst} as {@code nr}-column
     * slivers: sliver t starts at {@code t * nr * kc} and holds, for each row p, the
     * {@code nr} values of that row; columns past ncur are zero.
     */
    void packPanel(int pc, int jc, int kc, int ncur, int nr, float[] dst);

    /** The same source with column 0 moved to {@code cols}. */
    PanelSource shiftedColumns(int cols);
}

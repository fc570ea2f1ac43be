package dev.tensorbackend.cpu;

/**
 * Where the B operand of a {@link Gemm} comes from. B is only ever read by packing, so it
 * need not exist as a matrix: {@link Gemm.Operand} packs a stored matrix (either layout),
 * {@link ImagePatches} packs im2col patches straight from an image.
 */
interface PanelSource {
    /**
     * Rows [pc, pc+kc) x columns [jc, jc+ncur) of op(B) into {@code panel} (already
     * {@link BPanel#prepare prepared}), as {@code nr}-column slivers: each one either packed
     * (columns past ncur zero) or, where the source holds its rows in place, pointed to.
     */
    void packPanel(int pc, int jc, int kc, int ncur, int nr, BPanel panel);

    /** The same source with column 0 moved to {@code cols}. */
    PanelSource shiftedColumns(int cols);
}

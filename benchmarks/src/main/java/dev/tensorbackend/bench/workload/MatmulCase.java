package dev.tensorbackend.bench.workload;

import dev.tensorbackend.api.Shape;

/**
 * A matrix multiply the benchmarks run, named by its JMH parameter: {@code "512"} is a
 * square 512x512 by 512x512 product; {@code "qkt-8x64x32"} is the attention scores
 * {@code Q K^T} for batch 8, 64 tokens, width 32 (Q and K are [8,64,32], K transposed by
 * flag, as the network does it); {@code "av-8x64x32"} is the attention output {@code A V}
 * with A [8,64,64] and V [8,64,32].
 */
public record MatmulCase(String label, String op, Shape a, Shape b, boolean transB, Work work) {

    public static final String SQUARE = "matmul";
    public static final String SCORES = "attention QK^T";
    public static final String OUTPUT = "attention AV";

    public static MatmulCase parse(String label) {
        if (label.startsWith("qkt-") || label.startsWith("av-")) {
            int[] btd = dims(label.substring(label.indexOf('-') + 1), label);
            int batch = btd[0], tokens = btd[1], width = btd[2];
            Work work = Work.flops(2.0 * batch * tokens * tokens * width);
            return label.startsWith("qkt-")
                    ? new MatmulCase(label, SCORES, Shape.of(batch, tokens, width), Shape.of(batch, tokens, width), true, work)
                    : new MatmulCase(label, OUTPUT, Shape.of(batch, tokens, tokens), Shape.of(batch, tokens, width), false, work);
        }
        int n = positive(label, label);
        return new MatmulCase(label, SQUARE, Shape.of(n, n), Shape.of(n, n), false, Work.flops(2.0 * n * n * n));
    }

    /** How a person reads the shape, e.g. "[8,128,64] x [8,128,64]^T". */
    public String shapeText() {
        return Workloads.dims(a) + " x " + Workloads.dims(b) + (transB ? "^T" : "");
    }

    private static int[] dims(String text, String label) {
        String[] parts = text.split("x");
        if (parts.length != 3) {
            throw new IllegalArgumentException("matmul case '" + label + "': expected BATCHxTOKENSxWIDTH");
        }
        return new int[] {positive(parts[0], label), positive(parts[1], label), positive(parts[2], label)};
    }

    private static int positive(String text, String label) {
        try {
            int v = Integer.parseInt(text);
            if (v > 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below with the whole label
        }
        throw new IllegalArgumentException("matmul case '" + label + "': '" + text + "' is not a positive size");
    }
}

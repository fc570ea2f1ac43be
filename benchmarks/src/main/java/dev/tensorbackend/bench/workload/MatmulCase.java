package dev.tensorbackend.bench.workload;

import dev.tensorbackend.api.Shape;

/**
 * A matrix multiply the benchmarks run, named by its JMH parameter: {@code "512"} is a
 * square 512x512 by 512x512 product; {@code "qkt-8x64x32"} is the attention scores
 * {@code Q K^T} for batch 8, 64 tokens, width 32 (Q and K are [8,64,32], K transposed by
 * flag, as the network does it); {@code "av-8x64x32"} is the attention output {@code A V}
 * with A [8,64,64] and V [8,64,32].
 *
 * <p>The tall and skinny products of a dense layer over many rows, each {@code MxKxN} for an
 * [M,N] result summed over K, one per way the layer's three products hold their operands:
 * {@code "tall-16384x64x64"} is the forward {@code X W} (A [16384,64], B [64,64]);
 * {@code "tallbt-16384x64x64"} the input gradient {@code dY W^T} (B stored [N,K] and
 * transposed by flag); {@code "wgrad-64x16384x64"} the weight gradient {@code X^T dY} (A
 * stored [K,M] = [16384,64] and transposed by flag: a long K into a small result).
 */
public record MatmulCase(String label, String op, Shape a, boolean transA, Shape b, boolean transB, Work work) {

    public static final String SQUARE = "matmul";
    public static final String SCORES = "attention QK^T";
    public static final String OUTPUT = "attention AV";
    public static final String TALL = "matmul, tall and skinny";

    public static MatmulCase parse(String label) {
        if (label.startsWith("tall-") || label.startsWith("tallbt-") || label.startsWith("wgrad-")) {
            int[] mkn = dims(label.substring(label.indexOf('-') + 1), label, "MxKxN");
            int m = mkn[0], k = mkn[1], n = mkn[2];
            Work work = Work.flops(2.0 * m * k * n);
            if (label.startsWith("tall-")) {
                return new MatmulCase(label, TALL, Shape.of(m, k), false, Shape.of(k, n), false, work);
            }
            return label.startsWith("tallbt-")
                    ? new MatmulCase(label, TALL, Shape.of(m, k), false, Shape.of(n, k), true, work)
                    : new MatmulCase(label, TALL, Shape.of(k, m), true, Shape.of(k, n), false, work);
        }
        if (label.startsWith("qkt-") || label.startsWith("av-")) {
            int[] btd = dims(label.substring(label.indexOf('-') + 1), label, "BATCHxTOKENSxWIDTH");
            int batch = btd[0], tokens = btd[1], width = btd[2];
            Work work = Work.flops(2.0 * batch * tokens * tokens * width);
            return label.startsWith("qkt-")
                    ? new MatmulCase(label, SCORES, Shape.of(batch, tokens, width), false, Shape.of(batch, tokens, width), true, work)
                    : new MatmulCase(label, OUTPUT, Shape.of(batch, tokens, tokens), false, Shape.of(batch, tokens, width), false, work);
        }
        int n = positive(label, label);
        return new MatmulCase(label, SQUARE, Shape.of(n, n), false, Shape.of(n, n), false, Work.flops(2.0 * n * n * n));
    }

    /** How a person reads the shape, e.g. "[8,128,64] x [8,128,64]^T". */
    public String shapeText() {
        return Workloads.dims(a) + (transA ? "^T" : "") + " x " + Workloads.dims(b) + (transB ? "^T" : "");
    }

    private static int[] dims(String text, String label, String expected) {
        String[] parts = text.split("x");
        if (parts.length != 3) {
            throw new IllegalArgumentException("matmul case '" + label + "': expected " + expected);
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

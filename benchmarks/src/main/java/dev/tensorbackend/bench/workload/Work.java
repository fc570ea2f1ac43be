package dev.tensorbackend.bench.workload;

/**
 * How much one call of a benchmark does: floating-point operations for compute-bound ops
 * (a multiply-add counts 2), or bytes that must cross memory for bandwidth-bound ones.
 * Exactly one of the two is positive; it decides whether the report shows GFLOP/s or GB/s.
 */
public record Work(double flops, double bytes) {

    public Work {
        if ((flops > 0) == (bytes > 0)) {
            throw new IllegalArgumentException("work is either flops or bytes, got flops=" + flops + " bytes=" + bytes);
        }
    }

    public static Work flops(double flops) {
        return new Work(flops, 0);
    }

    public static Work bytes(double bytes) {
        return new Work(0, bytes);
    }

    public boolean isCompute() {
        return flops > 0;
    }

    /** GFLOP/s or GB/s (10^9 per second) when one call takes {@code seconds}. */
    public double throughput(double seconds) {
        return (isCompute() ? flops : bytes) / seconds / 1e9;
    }

    /** "GFLOP/s" or "GB/s". */
    public String unit() {
        return isCompute() ? "GFLOP/s" : "GB/s";
    }
}

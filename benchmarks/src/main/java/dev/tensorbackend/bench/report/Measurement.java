package dev.tensorbackend.bench.report;

import dev.tensorbackend.bench.workload.Work;

/**
 * One JMH result in the report's terms: which op, how it was measured ({@code variant}),
 * on what ({@code backend}), at which size, and the mean seconds per call.
 *
 * @param size the JMH parameter that names the problem size ("512", "mid", ...)
 * @param shape the operand shapes as a person reads them
 */
public record Measurement(String op, String variant, String backend, String size, String shape,
                          double seconds, Work work) {

    /** GFLOP/s or GB/s, per {@link Work#unit()}. */
    public double throughput() {
        return work.throughput(seconds);
    }

    /** The column this measurement belongs in: backend plus variant. */
    public Series series() {
        return new Series(backend, variant);
    }
}

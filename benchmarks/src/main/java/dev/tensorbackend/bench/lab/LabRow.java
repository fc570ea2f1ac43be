package dev.tensorbackend.bench.lab;

/**
 * One case measured on one backend. {@code latencyMs}: one call and a synchronize, median.
 * {@code pipelinedMs}: calls issued back to back with one synchronize at the end, per call,
 * median over rounds; what a stream of work sees, and the figure compared with PyTorch's
 * CUDA-event time of the op. {@code error} is set, and the times are NaN, when the case failed.
 */
record LabRow(String op, String shape, String backend, boolean passed, double maxAbsError, double maxRelError,
              double latencyMs, double pipelinedMs, double throughput, String unit, String error) {

    static LabRow failed(LabCase c, String backend, String error) {
        return new LabRow(c.op(), c.shape(), backend, false, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                Double.NaN, c.work().unit(), error);
    }
}

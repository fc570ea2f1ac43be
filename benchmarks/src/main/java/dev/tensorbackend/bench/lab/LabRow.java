package dev.tensorbackend.bench.lab;

/**
 * One case measured on one backend. {@code latencyMs}: one call and a synchronize, median.
 * {@code pipelinedMs}: calls issued back to back with one synchronize at the end, per call,
 * median over rounds; what a stream of work sees. {@code deviceMs}: the same back-to-back calls
 * timed by the device's own clock ({@link dev.tensorbackend.api.Backend#deviceMillis}, CUDA
 * events), per call, median over rounds; NaN where the backend has no device clock. The device
 * time, where there is one, is the figure compared with PyTorch's CUDA-event time of the op,
 * and the throughput is computed from it (else from the pipelined time). {@code error} is set,
 * and the times are NaN, when the case failed.
 */
record LabRow(String op, String shape, String backend, boolean passed, double maxAbsError, double maxRelError,
              double latencyMs, double pipelinedMs, double deviceMs, double throughput, String unit, String error) {

    /** The time per call compared with PyTorch's: by the device clock where there is one. */
    double bestMs() {
        return Double.isNaN(deviceMs) ? pipelinedMs : deviceMs;
    }

    static LabRow failed(LabCase c, String backend, String error) {
        return new LabRow(c.op(), c.shape(), backend, false, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                Double.NaN, Double.NaN, c.work().unit(), error);
    }
}

package dev.tensorbackend.bench;

/**
 * Our CPU backend's thread count, as the benchmarks beside it must use it too (PyTorch,
 * OpenBLAS, the array copy): {@code -Dtensor.cpu.threads}, else (unset or blank) every
 * processor, read as the backend reads it.
 */
final class CpuThreads {
    static final String PROPERTY = "tensor.cpu.threads";

    private CpuThreads() {
    }

    static int count() {
        String v = System.getProperty(PROPERTY);
        if (v == null || v.isBlank()) {
            return Runtime.getRuntime().availableProcessors();
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below, as our CPU backend reports it
        }
        throw new IllegalArgumentException(PROPERTY + " must be a positive integer, got '" + v + "'");
    }
}

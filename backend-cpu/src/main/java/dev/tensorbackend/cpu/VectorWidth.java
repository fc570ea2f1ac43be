package dev.tensorbackend.cpu;

import dev.tensorbackend.api.BackendException;

/**
 * The vector width the SIMD kernels use: by default the widest this CPU runs natively (the
 * Vector API's preferred species), or a narrower one forced with the system property
 * {@value #PROPERTY} (128, 256 or 512 bits). Forcing 256 on an AVX-512 machine runs the
 * AVX2 kernel set (8 lanes, the 6-row micro-kernel), which is how its speed and results are
 * measured without an AVX2-only machine. This class names no Vector API type, so it loads
 * in a JVM without the module.
 */
final class VectorWidth {
    static final String PROPERTY = "tensor.cpu.vectorBits";
    /** {@link #requestedBits} when the property is not set: the CPU's own width. */
    static final int PREFERRED = 0;

    private VectorWidth() {
    }

    /** The width the property asks for, or {@link #PREFERRED}; anything else is an error naming the property. */
    static int requestedBits(String value) {
        if (value == null || value.isBlank()) {
            return PREFERRED;
        }
        switch (value.trim()) {
            case "128":
                return 128;
            case "256":
                return 256;
            case "512":
                return 512;
            default:
                throw new BackendException("cpu: system property " + PROPERTY + " must be 128, 256 or 512 (bits), got '"
                        + value + "'");
        }
    }

    /** {@link #requestedBits} of this JVM's property. */
    static int requestedBits() {
        return requestedBits(System.getProperty(PROPERTY));
    }

    /**
     * Refuses a width wider than the CPU's: the Vector API would emulate it lane by lane, many
     * times slower, and a benchmark would measure that instead of the kernels.
     */
    static void checkSupported(int requested, int preferred) {
        if (requested > preferred) {
            throw new BackendException("cpu: " + PROPERTY + "=" + requested + " is wider than this CPU's " + preferred
                    + "-bit vectors; use " + preferred + " or less, or leave it unset");
        }
    }
}

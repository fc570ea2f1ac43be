package dev.tensorbackend.cpu;

import java.io.PrintStream;

/**
 * Chooses the {@link FastKernels} once per JVM: the Vector API ones where the boot layer
 * holds {@code jdk.incubator.vector}, else the scalar ones with one line on stderr saying
 * how to get the fast path. {@link VectorKernels} is named only by reflection and only after
 * the module check, so a JVM without the module never loads it.
 */
final class FastKernelSelection {
    static final String VECTOR_MODULE = "jdk.incubator.vector";
    private static final String VECTOR_KERNELS = "dev.tensorbackend.cpu.VectorKernels";

    private FastKernelSelection() {
    }

    private static final class Holder {
        static final FastKernels KERNELS = choose(ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent(), System.err);
    }

    /** The kernels this JVM uses, chosen (and, on fallback, announced) on first call. */
    static FastKernels kernels() {
        return Holder.KERNELS;
    }

    /** The choice itself, apart from the JVM's own module layer so that tests can ask both ways. */
    static FastKernels choose(boolean vectorModulePresent, PrintStream notices) {
        if (vectorModulePresent) {
            try {
                return (FastKernels) Class.forName(VECTOR_KERNELS).getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException | LinkageError e) {
                notices.println("tensor-backend cpu: the Vector API module is present but its kernels failed to load ("
                        + e + "); using scalar kernels");
                return new ScalarKernels();
            }
        }
        notices.println("tensor-backend cpu: " + VECTOR_MODULE + " is not available, so the CPU backend uses its slower "
                + "scalar kernels; start java with --add-modules " + VECTOR_MODULE + " for the SIMD fast path");
        return new ScalarKernels();
    }
}

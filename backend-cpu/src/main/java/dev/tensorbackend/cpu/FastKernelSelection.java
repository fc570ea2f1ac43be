package dev.tensorbackend.cpu;

import dev.tensorbackend.api.BackendException;

import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;

/**
 * Chooses the {@link FastKernels} once per JVM: the Vector API ones where the boot layer
 * holds {@code jdk.incubator.vector}, else the scalar ones with one line on stderr saying
 * how to get the fast path. {@link VectorKernels} is named only by reflection and only after
 * the module check, so a JVM without the module never loads it. A bad
 * {@value VectorWidth#PROPERTY} is an error, never a quiet fallback.
 */
final class FastKernelSelection {
    static final String VECTOR_MODULE = "jdk.incubator.vector";
    private static final String VECTOR_KERNELS = "dev.tensorbackend.cpu.VectorKernels";

    /** Made on first use; not a holder class, so that a bad property is a clear error each time, not a failed class init. */
    private static FastKernels chosen;

    private FastKernelSelection() {
    }

    /** The kernels this JVM uses, chosen (and, on fallback, announced) on first call. */
    static synchronized FastKernels kernels() {
        if (chosen == null) {
            chosen = choose(ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent(), System.err);
        }
        return chosen;
    }

    /** The choice itself, apart from the JVM's own module layer so that tests can ask both ways. */
    static FastKernels choose(boolean vectorModulePresent, PrintStream notices) {
        int bits = VectorWidth.requestedBits(); // checked first: a bad value fails with or without the module
        if (vectorModulePresent) {
            try {
                return (FastKernels) Class.forName(VECTOR_KERNELS).getDeclaredConstructor().newInstance();
            } catch (InvocationTargetException e) {
                if (e.getCause() instanceof BackendException refusal) {
                    throw refusal; // a forced width this CPU does not have
                }
                return scalarAfterFailure(notices, e.getCause());
            } catch (ReflectiveOperationException | LinkageError e) {
                return scalarAfterFailure(notices, e);
            }
        }
        notices.println("tensor-backend cpu: " + VECTOR_MODULE + " is not available, so the CPU backend uses its slower "
                + "scalar kernels" + (bits == VectorWidth.PREFERRED ? "" : " (" + VectorWidth.PROPERTY + " has no effect)")
                + "; start java with --add-modules " + VECTOR_MODULE + " for the SIMD fast path");
        return new ScalarKernels();
    }

    private static FastKernels scalarAfterFailure(PrintStream notices, Throwable e) {
        notices.println("tensor-backend cpu: the Vector API module is present but its kernels failed to load ("
                + e + "); using scalar kernels");
        return new ScalarKernels();
    }
}

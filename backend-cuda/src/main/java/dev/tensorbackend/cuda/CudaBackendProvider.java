package dev.tensorbackend.cuda;

import dev.tensorbackend.api.Backend;
import dev.tensorbackend.api.BackendException;
import dev.tensorbackend.api.BackendProvider;

/**
 * The CUDA backend for {@link dev.tensorbackend.api.Backends}: preferred over the CPU (priority
 * {@value #PRIORITY} against 0) whenever it is usable. The check runs once per JVM: the
 * driver library, once failed to load, cannot be retried anyway.
 */
public final class CudaBackendProvider implements BackendProvider {
    public static final int PRIORITY = 100;

    private static volatile Availability cached;

    @Override
    public String name() {
        return CudaBackend.NAME;
    }

    @Override
    public int priority() {
        return PRIORITY;
    }

    @Override
    public Availability availability() {
        Availability a = cached;
        if (a == null) {
            synchronized (CudaBackendProvider.class) {
                if (cached == null) {
                    cached = CudaProbe.check(PtxResources.load(), new JCudaDriverAccess());
                }
                a = cached;
            }
        }
        return a;
    }

    @Override
    public Backend create() {
        Availability a = availability();
        if (!a.usable()) {
            throw new BackendException("backend '" + CudaBackend.NAME + "' is not usable: " + a.reason());
        }
        return CudaBackend.open(PtxResources.load(), System.getProperties(), System.err);
    }
}

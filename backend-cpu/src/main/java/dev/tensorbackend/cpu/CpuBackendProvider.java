package dev.tensorbackend.cpu;

import dev.tensorbackend.api.Backend;
import dev.tensorbackend.api.BackendProvider;

/** Always usable; the fallback {@code auto} takes when no accelerator is usable. */
public final class CpuBackendProvider implements BackendProvider {
    @Override
    public String name() {
        return CpuBackend.NAME;
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public Availability availability() {
        return Availability.yes();
    }

    @Override
    public Backend create() {
        return new CpuBackend();
    }
}

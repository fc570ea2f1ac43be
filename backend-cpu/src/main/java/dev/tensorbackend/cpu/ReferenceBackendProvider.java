package dev.tensorbackend.cpu;

import dev.tensorbackend.api.Backend;
import dev.tensorbackend.api.BackendProvider;

/** Always usable, never chosen by {@code auto} (lowest priority): it is selected by name only. */
public final class ReferenceBackendProvider implements BackendProvider {
    @Override
    public String name() {
        return ReferenceBackend.NAME;
    }

    @Override
    public int priority() {
        return -100;
    }

    @Override
    public Availability availability() {
        return Availability.yes();
    }

    @Override
    public Backend create() {
        return new ReferenceBackend();
    }
}

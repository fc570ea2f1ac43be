package dev.tensorbackend.network;

import dev.tensorbackend.api.Backend;
import dev.tensorbackend.api.Backends;

/** The documented pass on the reference backend's plain loops: the same float64-derived values. */
class ReferenceDocumentedPassTest extends DocumentedPassTest {
    @Override
    protected Backend newBackend() {
        return Backends.create("reference");
    }
}

package dev.tensorbackend.network;

import dev.tensorbackend.api.Backend;
import dev.tensorbackend.api.Backends;

/**
 * The documented pass on the CPU backend shadowed by the reference backend: no op of the pass
 * diverges beyond the cross-check's tolerance, and the values are the float64-derived ones.
 */
class ShadowedDocumentedPassTest extends DocumentedPassTest {
    @Override
    protected Backend newBackend() {
        return Backends.create("cpu", "reference", Backends.providers(), System.err);
    }
}

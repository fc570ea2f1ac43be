package dev.tensorbackend.cpu;

/**
 * The float array behind one or more heap tensors: a reshape shares its source's elements
 * instead of copying them (a training step reshapes several activations and gradients; the
 * copies were a tenth of the small step's time). The array goes back for reuse only when
 * the last tensor holding it is closed, and a tensor about to be changed in place gets an
 * array of its own first ({@link HeapBackend#writable}), so tensors stay independent values.
 */
final class HeapStorage {
    final float[] data;
    /** Open tensors holding {@link #data}; read and changed only under the owning backend's lock. */
    int holders = 1;

    HeapStorage(float[] data) {
        this.data = data;
    }
}

package dev.tensorbackend.network;

import dev.tensorbackend.api.Tensor;

/** Receives the named intermediates of a training step, for printing; training passes {@link #NONE}. */
@FunctionalInterface
interface Recorder {
    Recorder NONE = (section, name, t) -> { };

    void record(String section, String name, Tensor t);
}

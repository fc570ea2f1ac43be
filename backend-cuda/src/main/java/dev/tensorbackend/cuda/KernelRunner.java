package dev.tensorbackend.cuda;

/** Launches a kernel of one of our PTX modules; the launchers talk to the GPU only through this. */
interface KernelRunner {
    /**
     * Queues {@code kernel} of {@code module} (the stem of its .cu file) on the device.
     * Launchers never call this for a launch with nothing to do.
     */
    void launch(String module, String kernel, LaunchConfig config, KernelArgs args);
}

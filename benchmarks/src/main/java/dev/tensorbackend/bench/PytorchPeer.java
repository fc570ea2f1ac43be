package dev.tensorbackend.bench;

import java.lang.reflect.InvocationTargetException;

/**
 * Whether PyTorch can be measured here, asked without compiling against DJL: its benchmarks and
 * {@code Torch} live in src/pytorch/java and are built only under -Pbench, where DJL's jars are
 * on the class path. A plain build has neither, and the report says PyTorch did not run.
 */
final class PytorchPeer {
    static final String PROBE_CLASS = "dev.tensorbackend.bench.Torch";
    static final String DJL_CLASS = "ai.djl.engine.Engine";
    static final String BUILT_WITHOUT = "the benchmarks were built without DJL (it comes with -Pbench)";

    private PytorchPeer() {
    }

    /**
     * Loads PyTorch in this JVM and multiplies a 2x2 matrix (the first load also unpacks the
     * native library into DJL's cache, which the benchmark forks then reuse).
     */
    static PeerStatus probe() {
        Class<?> torch;
        try {
            // DJL first: a plain build after a -Pbench one may still hold the compiled Torch class
            Class.forName(DJL_CLASS);
            torch = Class.forName(PROBE_CLASS);
        } catch (ClassNotFoundException e) {
            return PeerStatus.notRun(BUILT_WITHOUT);
        }
        try {
            return PeerStatus.measured(String.valueOf(torch.getMethod("probe").invoke(null)));
        } catch (InvocationTargetException e) {
            return PeerStatus.notRun("DJL could not load PyTorch: " + PeerStatus.oneLine(e.getCause()));
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return PeerStatus.notRun("DJL could not load PyTorch: " + PeerStatus.oneLine(e));
        }
    }
}

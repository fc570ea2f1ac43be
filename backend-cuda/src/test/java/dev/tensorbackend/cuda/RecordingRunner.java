package dev.tensorbackend.cuda;

import java.util.ArrayList;
import java.util.List;

/** Records launches instead of making them: the launchers' whole output, checked without a GPU. */
final class RecordingRunner implements KernelRunner {
    record Launch(String module, String kernel, LaunchConfig config, KernelArgs args) {
    }

    final List<Launch> launches = new ArrayList<>();

    @Override
    public void launch(String module, String kernel, LaunchConfig config, KernelArgs args) {
        launches.add(new Launch(module, kernel, config, args));
    }

    Launch only() {
        if (launches.size() != 1) {
            throw new AssertionError("expected one launch, got " + launches);
        }
        return launches.get(0);
    }
}

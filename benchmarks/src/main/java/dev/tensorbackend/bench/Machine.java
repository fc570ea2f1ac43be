package dev.tensorbackend.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A one-line description of the CPU the numbers came from, for the report. */
final class Machine {
    private Machine() {
    }

    static String cpu() {
        String model = System.getProperty("os.arch");
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    model = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: the architecture name is the best we have
        }
        return model + ", " + Runtime.getRuntime().availableProcessors() + " cores available, "
                + System.getProperty("os.name") + " " + System.getProperty("os.version");
    }
}

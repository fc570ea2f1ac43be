package dev.tensorbackend.network;

import dev.tensorbackend.api.Backend;
import dev.tensorbackend.api.BackendException;
import dev.tensorbackend.api.Backends;
import java.io.PrintStream;

/**
 * The command line: runs the documented pass on the selected backend and prints every
 * intermediate, gradient and updated parameter.
 */
public final class Main {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;
    static final int BACKEND_UNUSABLE = 3;
    /** The most --steps accepts: at about 0.1 ms a step on the CPU, a few minutes of output lines. */
    static final int MAX_STEPS = 1_000_000;

    static final String USAGE_TEXT = String.join(System.lineSeparator(),
            "Usage: java -jar network/target/network.jar [--json | --steps N] [--stats] [--help]",
            "       java -jar network/target/network.jar crosscheck",
            "",
            "Runs the documented pass (convolution, self-attention, dense + ReLU; forward, backward",
            "and one SGD step) on the selected backend and prints every intermediate, gradient and",
            "updated parameter.",
            "",
            "  --json      print the pass as one JSON object",
            "  --steps N   train N SGD steps (1 to " + MAX_STEPS + ") from the documented parameters; print the",
            "              cost before each as soon as it is known",
            "  --stats     afterwards print the backend's memory statistics as one line on stderr:",
            "              memory: live=N cached=N peak=N driver_allocs=N driver_frees=N (bytes, calls)",
            "  --help      print this text",
            "  crosscheck  run every op and the documented pass on CUDA and on the reference backend (plain loops,",
            "              sums in double) and compare them: per op the worst absolute and relative error",
            "              and PASS/FAIL; exit status 0 when all pass, 1 when any fails, 3 when CUDA is unusable",
            "",
            "Backend: -Dtensor.backend=auto|cpu|cuda|reference before -jar, or TENSOR_BACKEND; default auto.",
            "Shadow: -Dtensor.shadow=NAME (or TENSOR_SHADOW) also runs every op on backend NAME and stops",
            "at the first op whose results differ beyond the cross-check's tolerance, naming it.");

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 1 && args[0].equals("crosscheck")) {
            return CrossCheckCommand.run(out, err);
        }
        boolean json = false;
        boolean stats = false;
        Integer steps = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--help", "-h" -> {
                    out.println(USAGE_TEXT);
                    return OK;
                }
                case "--json" -> json = true;
                case "--stats" -> stats = true;
                case "--steps" -> {
                    steps = i + 1 < args.length ? stepCount(args[++i]) : null;
                    if (steps == null) {
                        return usage(err, "--steps needs a whole number from 1 to " + MAX_STEPS);
                    }
                }
                default -> {
                    return usage(err, "unknown argument '" + args[i] + "'");
                }
            }
        }
        if (json && steps != null) {
            return usage(err, "--json and --steps cannot be combined");
        }
        Backend backend;
        try {
            backend = Backends.create(Backends.selectedName(), Backends.shadowName(), Backends.providers(), err);
        } catch (BackendException e) {
            err.println("error: " + e.getMessage());
            return BACKEND_UNUSABLE;
        }
        try (backend) {
            if (steps != null) {
                printCosts(backend, steps, out);
            } else if (json) {
                out.println(JsonReport.of(DocumentedPass.run(backend)));
            } else {
                TextReport.print(DocumentedPass.run(backend), out);
            }
            if (stats) {
                out.flush();
                err.println("memory: " + backend.memoryStats().line());
            }
            return OK;
        } catch (BackendException e) {
            err.println("error: " + e.getMessage());
            return FAILED;
        }
    }

    private static void printCosts(Backend backend, int steps, PrintStream out) {
        out.println("Training the documented network on backend " + backend.name() + ", learning rate "
                + DocumentedPass.LEARNING_RATE);
        DocumentedPass.train(backend, steps, (step, cost) -> out.println("step " + step + ": cost " + TextReport.number(cost)));
    }

    private static Integer stepCount(String s) {
        try {
            int n = Integer.parseInt(s.trim());
            return n > 0 && n <= MAX_STEPS ? n : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static int usage(PrintStream err, String problem) {
        err.println("error: " + problem);
        err.println(USAGE_TEXT);
        return USAGE;
    }
}

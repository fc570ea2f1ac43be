package dev.tensorbackend.network;

import dev.tensorbackend.api.Backend;
import dev.tensorbackend.api.BackendException;
import dev.tensorbackend.api.Backends;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The command line, on picocli: by default runs the documented pass on the selected backend
 * and prints every intermediate, gradient and updated parameter; {@code crosscheck} is a
 * subcommand. Exit statuses are {@link ExitStatus}'s.
 */
@Command(name = "java -jar network/target/network.jar",
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
            "Runs the documented pass (convolution, self-attention, dense + ReLU; forward, backward and one SGD step;"
                    + " docs/documented-pass.md) on the selected backend and prints its inputs, every intermediate,"
                    + " gradient and updated parameter."},
        footer = {
            "",
            "Backend: -Dtensor.backend=auto|cpu|cuda|reference before -jar, or TENSOR_BACKEND; default auto.",
            "Shadow: -Dtensor.shadow=NAME (or TENSOR_SHADOW) also runs every op on backend NAME and stops"
                    + " at the first op whose results differ beyond the cross-check's tolerance, naming it.",
            "Exit status: 0 ok, 1 a check failed, 2 usage error, 3 backend unknown or unusable here."})
public final class Main implements Callable<Integer> {
    /** The most --steps accepts: at about 0.1 ms a step on the CPU, a few minutes of output lines. */
    static final int MAX_STEPS = 1_000_000;
    static final String STEPS_PROBLEM = "--steps needs a whole number from 1 to " + MAX_STEPS;

    @Option(names = "--json", description = "print the pass as one JSON object")
    boolean json;

    @Option(names = "--steps", paramLabel = "N", converter = StepCount.class,
            description = {"train N SGD steps (1 to " + MAX_STEPS + ") from the documented parameters;"
                    + " print the cost before each as soon as it is known"})
    Integer steps;

    @Option(names = "--stats", description = {"afterwards print the backend's memory statistics as one line on stderr:",
        "memory: live=N cached=N peak=N driver_allocs=N driver_frees=N (bytes, calls)"})
    boolean stats;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this text")
    boolean help;

    @Spec
    CommandSpec spec;

    private final PrintStream out;
    private final PrintStream err;

    private Main(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        PrintWriter outWriter = writer(out);
        PrintWriter errWriter = writer(err);
        CommandLine cli = new CommandLine(new Main(out, err))
                .setOut(outWriter)
                .setErr(errWriter)
                .setParameterExceptionHandler(Main::usageError);
        try {
            return cli.execute(args);
        } finally {
            outWriter.flush();
            errWriter.flush();
        }
    }

    private static PrintWriter writer(PrintStream stream) {
        return new PrintWriter(stream, true);
    }

    /** The pass: the default command. */
    @Override
    public Integer call() {
        if (json && steps != null) {
            throw new ParameterException(spec.commandLine(), "--json and --steps cannot be combined");
        }
        Backend backend;
        try {
            backend = Backends.create(Backends.selectedName(), Backends.shadowName(), Backends.providers(), err);
        } catch (BackendException e) {
            err.println("error: " + e.getMessage());
            return ExitStatus.BACKEND_UNUSABLE;
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
            return ExitStatus.OK;
        } catch (BackendException e) {
            err.println("error: " + e.getMessage());
            return ExitStatus.CHECK_FAILED;
        }
    }

    @Command(name = "crosscheck", sortOptions = false,
            description = {"Runs every op and the documented pass on CUDA and on the reference backend (plain loops,"
                    + " sums in double) and compares them: per op the worst absolute and relative error and PASS/FAIL."},
            footer = {"", "Exit status: 0 all pass, 1 any fails, 3 CUDA is unusable here (the reason on stderr)."})
    int crosscheck(@Option(names = "--json", description = "print the comparison as one JSON object") boolean crossJson,
                   @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this text") boolean crossHelp) {
        if (json || stats || steps != null) {
            throw new ParameterException(spec.commandLine(), "--json, --steps and --stats before crosscheck belong to the pass;"
                    + " write crosscheck --json");
        }
        return CrossCheckCommand.run(Backends.providers(), crossJson, out, err);
    }

    private void printCosts(Backend backend, int steps, PrintStream out) {
        out.println("Training the documented network on backend " + backend.name() + ", learning rate "
                + DocumentedPass.LEARNING_RATE);
        DocumentedPass.train(backend, steps, (step, cost) -> out.println("step " + step + ": cost " + TextReport.number(cost)));
    }

    /** One line naming the problem, then the usage of the command it concerns; status 2. */
    private static int usageError(ParameterException e, String[] args) {
        CommandLine cli = e.getCommandLine();
        PrintWriter err = cli.getErr();
        err.println("error: " + problem(e));
        cli.usage(err);
        err.flush();
        return ExitStatus.USAGE;
    }

    private static String problem(ParameterException e) {
        if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            return "unknown argument '" + u.getUnmatched().get(0) + "'";
        }
        if (e.getArgSpec() instanceof CommandLine.Model.OptionSpec o && o.longestName().equals("--steps")) {
            return STEPS_PROBLEM; // a missing value as much as a wrong one
        }
        return e.getMessage();
    }

    /** --steps' value: a whole number in 1..{@value #MAX_STEPS}, so that nothing absurd reaches the loop. */
    static final class StepCount implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String s) {
            try {
                int n = Integer.parseInt(s.trim());
                if (n > 0 && n <= MAX_STEPS) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // the same answer as for a number out of range
            }
            throw new CommandLine.TypeConversionException(STEPS_PROBLEM);
        }
    }
}

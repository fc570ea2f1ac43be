package dev.tensorbackend.network;

import dev.tensorbackend.api.Backend;
import dev.tensorbackend.api.BackendException;
import dev.tensorbackend.api.BackendProvider;
import dev.tensorbackend.api.Backends;
import dev.tensorbackend.api.Tolerance;
import dev.tensorbackend.api.check.CrossCheck;
import dev.tensorbackend.api.check.CrossCheckReport;
import java.io.PrintStream;
import java.util.List;

/**
 * {@code crosscheck}: every op of the op suite ({@link CrossCheck}) and every value of the
 * documented pass, on CUDA and on the {@code reference} backend, compared element by element.
 * The baseline is the reference's plain loops, which sum in double, rather than the CPU
 * backend's fast paths, which sum in float in an order of their own: CUDA is then measured
 * against the nearest thing to the exact value, not against a third rounding order. Prints, per op and
 * per documented-pass value, the worst absolute and relative error and PASS or FAIL.
 * Exit status 0 when everything passes, 1 when something fails, 3 (with the one-line reason
 * on stderr) when CUDA is unusable here. Only backend names are used: the backends arrive
 * through {@link Backends}, never as classes.
 */
public final class CrossCheckCommand {
    public static final int PASSED = 0;
    public static final int FAILED = 1;
    public static final int CUDA_UNUSABLE = 3;

    /**
     * Each documented-pass value on CUDA against the CPU: the network is small and its inputs
     * are small integers, but its values pass through exp, a division and several chained
     * float32 reductions whose order differs between the backends, each costing a few ulp.
     */
    public static final Tolerance DOCUMENTED_PASS = new Tolerance(1e-5, 1e-4);

    /** The backend every CUDA result is compared with. */
    public static final String BASELINE = "reference";

    private static final String ROW = "%-34s %5s  max|err| %-10s max rel %-10s %s%n";

    private CrossCheckCommand() {
    }

    public static int run(PrintStream out, PrintStream err) {
        return run(Backends.providers(), out, err);
    }

    /** Over an explicit provider list ("cuda" checked against {@value #BASELINE}). */
    static int run(List<BackendProvider> providers, PrintStream out, PrintStream err) {
        Backend cuda;
        String note;
        try {
            BackendProvider provider = Backends.provider("cuda", providers);
            BackendProvider.Availability a = provider.availability();
            if (!a.usable()) {
                err.println("crosscheck: cuda is unusable: " + a.reason());
                return CUDA_UNUSABLE;
            }
            note = a.reason();
            cuda = provider.create();
        } catch (BackendException e) {
            err.println("crosscheck: cuda is unusable: " + e.getMessage());
            return CUDA_UNUSABLE;
        }
        try (cuda; Backend cpu = Backends.provider(BASELINE, providers).create()) {
            out.println("crosscheck: " + cuda.name() + " against " + cpu.name()
                    + "; an element passes when |" + cuda.name() + " - " + cpu.name() + "| <= atol + rtol * |" + cpu.name() + "|");
            if (!note.isEmpty()) {
                out.println("crosscheck: cuda " + note);
            }
            boolean opsPassed = printOps(CrossCheck.run(cuda, cpu), out);
            boolean passPassed = printDocumentedPass(DocumentedPass.run(cuda), DocumentedPass.run(cpu), out);
            boolean passed = opsPassed && passPassed;
            out.println("crosscheck: " + (passed ? "PASS" : "FAIL")
                    + (opsPassed ? "" : " (ops failed)") + (passPassed ? "" : " (documented pass differs)"));
            return passed ? PASSED : FAILED;
        } catch (BackendException e) {
            err.println("crosscheck: " + e.getMessage());
            return FAILED;
        }
    }

    private static boolean printOps(CrossCheckReport report, PrintStream out) {
        out.println();
        out.println("ops (" + report.results().size() + " cases over 1x1, odd, tall-skinny, non-tile and large shapes):");
        for (CrossCheckReport.OpSummary s : report.summaries()) {
            out.printf(ROW, s.method(), s.cases() + "x", error(s.maxAbsError()), error(s.maxRelError()), s.passed() ? "PASS" : "FAIL");
            if (!s.passed()) {
                out.println("    first failure: " + s.firstFailure());
            }
        }
        return report.passed();
    }

    private static boolean printDocumentedPass(PassRecord gpu, PassRecord cpu, PrintStream out) {
        out.println();
        out.println("documented pass (atol " + DOCUMENTED_PASS.atol() + ", rtol " + DOCUMENTED_PASS.rtol() + "):");
        boolean passed = gpu.entries().size() == cpu.entries().size();
        if (!passed) {
            out.println("    " + gpu.entries().size() + " values on " + gpu.backend() + ", " + cpu.entries().size() + " on " + cpu.backend());
        }
        for (PassRecord.Entry expected : cpu.entries()) {
            String name = expected.section() + " " + expected.name();
            PassRecord.Entry actual;
            try {
                actual = gpu.get(expected.section(), expected.name());
            } catch (IllegalArgumentException e) {
                out.printf("%-34s missing on %s  FAIL%n", name, gpu.backend());
                passed = false;
                continue;
            }
            if (!actual.shape().equals(expected.shape())) {
                out.printf("%-34s shape %s on %s, %s on %s  FAIL%n", name, actual.shape(), gpu.backend(), expected.shape(), cpu.backend());
                passed = false;
                continue;
            }
            Tolerance.Comparison c = DOCUMENTED_PASS.compare(expected.values(), actual.values());
            out.printf(ROW, name, expected.values().length + "v", error(c.maxAbsError()), error(c.maxRelError()),
                    c.passed() ? "PASS" : "FAIL");
            if (!c.passed()) {
                out.println("    " + c);
            }
            passed &= c.passed();
        }
        return passed;
    }

    /** An error to three significant digits; an exact match prints as 0. */
    private static String error(double e) {
        return e == 0 ? "0" : String.format("%.3g", e);
    }
}

package dev.tensorbackend.network;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tensorbackend.api.Backend;
import dev.tensorbackend.api.BackendException;
import dev.tensorbackend.api.BackendProvider;
import dev.tensorbackend.api.Backends;
import dev.tensorbackend.api.Tolerance;
import dev.tensorbackend.api.check.CrossCheck;
import dev.tensorbackend.api.check.CrossCheckReport;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code crosscheck}: every op of the op suite ({@link CrossCheck}) and every value of the
 * documented pass, on CUDA and on the {@code reference} backend, compared element by element.
 * The baseline is the reference's plain loops, which sum in double, rather than the CPU
 * backend's fast paths, which sum in float in an order of their own: CUDA is then measured
 * against the nearest thing to the exact value, not against a third rounding order. Prints, per op and
 * per documented-pass value, the worst absolute and relative error and PASS or FAIL, as text
 * or (with {@code --json}) as one JSON object.
 * Exit status ({@link ExitStatus}) 0 when everything passes, 1 when something fails, 3 (with
 * the one-line reason on stderr) when CUDA is unusable here. Only backend names are used: the
 * backends arrive through {@link Backends}, never as classes.
 */
public final class CrossCheckCommand {
    /**
     * Each documented-pass value on CUDA against the CPU: the network is small and its inputs
     * are small integers, but its values pass through exp, a division and several chained
     * float32 reductions whose order differs between the backends, each costing a few ulp.
     */
    public static final Tolerance DOCUMENTED_PASS = new Tolerance(1e-5, 1e-4);

    /** The backend every CUDA result is compared with. */
    public static final String BASELINE = "reference";

    private static final String ROW = "%-34s %5s  max|err| %-10s max rel %-10s %s%n";

    /**
     * One compared op or value. {@code problem} is set when there was nothing to compare (a
     * value missing or of another shape); {@code detail} says where a failing one first failed.
     */
    record Row(String name, int count, String unit, double maxAbsError, double maxRelError, boolean passed,
               String detail, String problem) {
    }

    /** Everything one crosscheck found, before it is printed in either form. */
    record Result(String candidate, String baseline, String note, List<Row> ops, String passNote, List<Row> pass) {
        boolean opsPassed() {
            return ops.stream().allMatch(Row::passed);
        }

        boolean passPassed() {
            return passNote == null && pass.stream().allMatch(Row::passed);
        }

        boolean passed() {
            return opsPassed() && passPassed();
        }
    }

    private CrossCheckCommand() {
    }

    public static int run(PrintStream out, PrintStream err) {
        return run(Backends.providers(), false, out, err);
    }

    /** Over an explicit provider list ("cuda" checked against {@value #BASELINE}), as text. */
    static int run(List<BackendProvider> providers, PrintStream out, PrintStream err) {
        return run(providers, false, out, err);
    }

    /** Over an explicit provider list, as text or as one JSON object on {@code out}. */
    static int run(List<BackendProvider> providers, boolean json, PrintStream out, PrintStream err) {
        Backend cuda;
        String note;
        try {
            BackendProvider provider = Backends.provider("cuda", providers);
            BackendProvider.Availability a = provider.availability();
            if (!a.usable()) {
                err.println("crosscheck: cuda is unusable: " + a.reason());
                return ExitStatus.BACKEND_UNUSABLE;
            }
            note = a.reason();
            cuda = provider.create();
        } catch (BackendException e) {
            err.println("crosscheck: cuda is unusable: " + e.getMessage());
            return ExitStatus.BACKEND_UNUSABLE;
        }
        Result result;
        try (cuda; Backend baseline = Backends.provider(BASELINE, providers).create()) {
            if (!json) {
                // the header first, so that a long run shows at once what it compares
                printHeader(cuda.name(), baseline.name(), note, out);
            }
            result = compare(cuda, baseline, note);
        } catch (BackendException e) {
            err.println("crosscheck: " + e.getMessage());
            return ExitStatus.CHECK_FAILED;
        }
        if (json) {
            out.println(Json.pretty(toJson(result)));
        } else {
            printBody(result, out);
        }
        return result.passed() ? ExitStatus.OK : ExitStatus.CHECK_FAILED;
    }

    static Result compare(Backend cuda, Backend baseline, String note) {
        List<Row> ops = new ArrayList<>();
        for (CrossCheckReport.OpSummary s : CrossCheck.run(cuda, baseline).summaries()) {
            ops.add(new Row(s.method(), s.cases(), "x", s.maxAbsError(), s.maxRelError(), s.passed(),
                    s.passed() ? null : s.firstFailure(), null));
        }
        PassRecord gpu = DocumentedPass.run(cuda);
        PassRecord base = DocumentedPass.run(baseline);
        String passNote = gpu.entries().size() == base.entries().size() ? null
                : gpu.entries().size() + " values on " + gpu.backend() + ", " + base.entries().size() + " on " + base.backend();
        List<Row> pass = new ArrayList<>();
        for (PassRecord.Entry expected : base.entries()) {
            pass.add(comparePassValue(expected, gpu, base.backend()));
        }
        return new Result(cuda.name(), baseline.name(), note, ops, passNote, pass);
    }

    private static Row comparePassValue(PassRecord.Entry expected, PassRecord gpu, String baselineName) {
        String name = expected.section() + " " + expected.name();
        int n = expected.values().length;
        PassRecord.Entry actual;
        try {
            actual = gpu.get(expected.section(), expected.name());
        } catch (IllegalArgumentException e) {
            return new Row(name, n, "v", Double.NaN, Double.NaN, false, null, "missing on " + gpu.backend());
        }
        if (!actual.shape().equals(expected.shape())) {
            return new Row(name, n, "v", Double.NaN, Double.NaN, false, null,
                    "shape " + actual.shape() + " on " + gpu.backend() + ", " + expected.shape() + " on " + baselineName);
        }
        Tolerance.Comparison c = DOCUMENTED_PASS.compare(expected.values(), actual.values());
        return new Row(name, n, "v", c.maxAbsError(), c.maxRelError(), c.passed(), c.passed() ? null : c.toString(), null);
    }

    private static void printHeader(String cuda, String baseline, String note, PrintStream out) {
        out.println("crosscheck: " + cuda + " against " + baseline
                + "; an element passes when |" + cuda + " - " + baseline + "| <= atol + rtol * |" + baseline + "|");
        if (!note.isEmpty()) {
            out.println("crosscheck: cuda " + note);
        }
    }

    private static void printBody(Result r, PrintStream out) {
        out.println();
        out.println("ops (" + r.ops().stream().mapToInt(Row::count).sum()
                + " cases over 1x1, odd, tall-skinny, non-tile and large shapes):");
        for (Row row : r.ops()) {
            printRow(row, "    first failure: ", out);
        }
        out.println();
        out.println("documented pass (atol " + DOCUMENTED_PASS.atol() + ", rtol " + DOCUMENTED_PASS.rtol() + "):");
        if (r.passNote() != null) {
            out.println("    " + r.passNote());
        }
        for (Row row : r.pass()) {
            printRow(row, "    ", out);
        }
        out.println("crosscheck: " + (r.passed() ? "PASS" : "FAIL")
                + (r.opsPassed() ? "" : " (ops failed)") + (r.passPassed() ? "" : " (documented pass differs)"));
    }

    private static void printRow(Row row, String detailPrefix, PrintStream out) {
        if (row.problem() != null) {
            out.printf("%-34s %s  FAIL%n", row.name(), row.problem());
            return;
        }
        out.printf(ROW, row.name(), row.count() + row.unit(), error(row.maxAbsError()), error(row.maxRelError()),
                row.passed() ? "PASS" : "FAIL");
        if (row.detail() != null) {
            out.println(detailPrefix + row.detail());
        }
    }

    /**
     * {@code {"candidate", "baseline", "note", "passed", "ops": [...], "documentedPass": {"atol",
     * "rtol", "note", "values": [...]}}}, each row {@code {"name", "count", "maxAbsError",
     * "maxRelError", "passed"}} plus {@code "detail"} or {@code "problem"} where it failed.
     */
    static ObjectNode toJson(Result r) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("candidate", r.candidate());
        root.put("baseline", r.baseline());
        root.put("note", r.note());
        root.put("passed", r.passed());
        rows(root.putArray("ops"), r.ops());
        ObjectNode pass = root.putObject("documentedPass");
        pass.put("atol", DOCUMENTED_PASS.atol());
        pass.put("rtol", DOCUMENTED_PASS.rtol());
        if (r.passNote() != null) {
            pass.put("note", r.passNote());
        }
        rows(pass.putArray("values"), r.pass());
        return root;
    }

    private static void rows(ArrayNode array, List<Row> rows) {
        for (Row row : rows) {
            ObjectNode o = array.addObject();
            o.put("name", row.name());
            o.put("count", row.count());
            if (row.problem() != null) {
                o.put("problem", row.problem());
            } else {
                o.put("maxAbsError", row.maxAbsError());
                o.put("maxRelError", row.maxRelError());
            }
            o.put("passed", row.passed());
            if (row.detail() != null) {
                o.put("detail", row.detail());
            }
        }
    }

    /** An error to three significant digits; an exact match prints as 0. */
    private static String error(double e) {
        return e == 0 ? "0" : String.format("%.3g", e);
    }
}

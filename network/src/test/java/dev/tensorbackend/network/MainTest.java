package dev.tensorbackend.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorbackend.api.Backends;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final String backendBefore = System.getProperty(Backends.PROPERTY);
    private final String shadowBefore = System.getProperty(Backends.SHADOW_PROPERTY);

    @AfterEach
    void restoreProperty() {
        restore(Backends.PROPERTY, backendBefore);
        restore(Backends.SHADOW_PROPERTY, shadowBefore);
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void textReportShowsEveryValueAndTheHandWorkedMistakes() {
        System.setProperty(Backends.PROPERTY, "cpu");
        assertEquals(ExitStatus.OK, run());
        String text = out();
        assertTrue(text.startsWith("Documented pass on backend: cpu\n"
                + "(the network, its inputs and the hand-worked solution's mistakes: docs/documented-pass.md)\n\n"
                + "== inputs and parameters before the step ==\n\nX\n"
                + "    [             0             3            -1             0 ]\n"), text);
        assertTrue(text.matches("(?s).*\nlearningRate\n +0\\.1\n.*"), text);
        assertFalse(text.contains("shared/") || text.contains("Task "), "nothing points outside the repository:\n" + text);
        for (String label : new String[] {"CN =", "S = Q K^T", "A = softmax(S) along each row", "yhat = ReLU(z)", "C = ",
                "dyhat =", "dSA =", "dV =", "dA =", "dS =", "dQ =", "dK =", "dCN =", "dF =", "dbC =", "dWQ =", "dWK =",
                "dWV =", "dWD =", "dbD =", "F (updated)", "bC (updated)", "WQ (updated)", "WK (updated)", "WV (updated)",
                "WD (updated)", "bD (updated)", "(mistake 1)", "(mistake 6)"}) {
            assertTrue(text.contains(label), "missing '" + label + "' in:\n" + text);
        }
        assertTrue(text.matches("(?s).*yhat = ReLU\\(z\\)\\s+0\\.830019\\d.*"), "yhat printed to 7 digits:\n" + text);
    }

    @Test
    void jsonHasEverySectionAndValueInTheDocumentedLayout() {
        System.setProperty(Backends.PROPERTY, "cpu");
        assertEquals(ExitStatus.OK, run("--json"));
        String json = out();
        assertTrue(json.startsWith("{\n  \"backend\": \"cpu\",\n  \"inputs\": {\n"
                + "    \"X\": [[0.0, 3.0, -1.0, 0.0], [0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 3.0, 0.0], [3.0, 0.0, 3.0, 1.0]],\n"
                + "    \"F\": [[1.0, 0.0], [-1.0, 0.0]],\n    \"bC\": 1.0,\n    \"WQ\": [[1.0, -2.0], [0.0, 2.0]],\n"
                + "    \"WK\": [[1.0, -1.0], [3.0, 0.0]],\n    \"WV\": [[3.0, 1.0], [-1.0, 1.0]],\n"
                + "    \"WD\": [1.0, 1.0, 0.0, 2.0],\n    \"bD\": -1.0,\n    \"y\": 1.0,\n    \"learningRate\": 0.1\n  },\n"
                + "  \"forward\": {\n    \"CN\": [[1.0, 0.0], [-2.0, 1.0]],"), json);
        assertTrue(json.contains("\"gradients\": {\n    \"dyhat\": -0.33996"), json);
        assertTrue(json.contains("\"WD\": [1.0971"), "updated WD is a vector: " + json);
        assertTrue(json.contains("\"bD\": -0.96600"), "updated bD is a scalar: " + json);
        for (String key : DocumentedPass.ORDER.values().stream().flatMap(java.util.List::stream).distinct().toList()) {
            assertTrue(json.contains("\"" + key + "\": "), "missing " + key);
        }
        assertEquals(json.chars().filter(c -> c == '{').count(), json.chars().filter(c -> c == '}').count());
        assertEquals(json.chars().filter(c -> c == '[').count(), json.chars().filter(c -> c == ']').count());
    }

    @Test
    void stepsPrintsTheCostOfEachStepStartingFromTheDocumentedCost() {
        System.setProperty(Backends.PROPERTY, "cpu");
        assertEquals(ExitStatus.OK, run("--steps", "3"));
        Matcher m = Pattern.compile("step (\\d+): cost (\\S+)").matcher(out());
        int steps = 0;
        while (m.find()) {
            steps++;
            assertEquals(steps, Integer.parseInt(m.group(1)));
            if (steps == 1) {
                assertEquals(0.0288933915, Double.parseDouble(m.group(2)), 1e-6, "the first cost is the documented C");
            }
        }
        assertEquals(3, steps, out());
    }

    @Test
    void statsPrintsOneMemoryLineOnStderrAfterTheNormalOutput() {
        System.setProperty(Backends.PROPERTY, "cpu");
        assertEquals(ExitStatus.OK, run("--stats"));
        assertTrue(out().startsWith("Documented pass on backend: cpu"), out());
        assertTrue(!out().contains("memory:"), "the statistics go to stderr only");
        Matcher m = Pattern.compile("memory: live=(\\d+) cached=(\\d+) peak=(\\d+) driver_allocs=(\\d+) driver_frees=(\\d+)")
                .matcher(err().strip());
        assertTrue(m.matches(), "one line, all five numbers: " + err());
        assertTrue(Long.parseLong(m.group(3)) > 0, "the pass held some tensors at once: " + err());
        assertTrue(Long.parseLong(m.group(3)) >= Long.parseLong(m.group(1)), err());
        assertTrue(Long.parseLong(m.group(2)) > 0, "the pass closed its intermediates, and the cpu backend keeps their arrays: " + err());
        assertEquals("0", m.group(4), "no driver on the cpu");
        assertEquals("0", m.group(5));
    }

    @Test
    void statsCombinesWithJsonAndSteps() {
        System.setProperty(Backends.PROPERTY, "cpu");
        assertEquals(ExitStatus.OK, run("--json", "--stats"));
        assertTrue(out().startsWith("{"), out());
        assertEquals(ExitStatus.OK, run("--steps", "2", "--stats"));
        assertEquals(2, err().lines().filter(l -> l.startsWith("memory: live=")).count(), err());
    }

    @Test
    void withoutStatsNothingGoesToStderr() {
        System.setProperty(Backends.PROPERTY, "cpu");
        assertEquals(ExitStatus.OK, run());
        assertEquals("", err());
    }

    @Test
    void wrongFlagsGetUsageAndStatus2() {
        assertEquals(ExitStatus.USAGE, run("--bogus"));
        assertTrue(err().startsWith("error: unknown argument '--bogus'"), err());
        assertTrue(err().contains("Usage:"), err());
        assertEquals(ExitStatus.USAGE, run("--steps", "0"));
        assertEquals(ExitStatus.USAGE, run("--steps"));
        assertEquals(ExitStatus.USAGE, run("--json", "--steps", "2"));
        assertEquals("", out());
    }

    /** Once an OutOfMemoryError stack trace: every cost was stored before the first was printed. */
    @Test
    void absurdStepCountsGetTheUsageErrorNotAStackTrace() {
        for (String n : new String[] {"2147483647", "1000001", "99999999999", "-3", "1e6", "many"}) {
            err.reset();
            assertEquals(ExitStatus.USAGE, run("--steps", n), n);
            assertTrue(err().startsWith("error: --steps needs a whole number from 1 to 1000000"), err());
            assertTrue(err().contains("Usage:"), err());
        }
        assertEquals("", out());
    }

    @Test
    void stepsPrintEachCostAsItGoes() {
        System.setProperty(Backends.PROPERTY, "cpu");
        java.util.List<String> lines = new java.util.ArrayList<>();
        // a stream that records what was printed at the moment each step's cost is computed
        java.io.OutputStream watching = new java.io.OutputStream() {
            private final StringBuilder line = new StringBuilder();

            @Override
            public void write(int b) {
                if (b == '\n') {
                    lines.add(line.toString());
                    line.setLength(0);
                } else {
                    line.append((char) b);
                }
            }
        };
        int[] printedBeforeStep = new int[4];
        try (dev.tensorbackend.api.Backend cpu = Backends.create("cpu")) {
            PrintStream ps = new PrintStream(watching, true, StandardCharsets.UTF_8);
            DocumentedPass.train(cpu, 3, (step, cost) -> {
                printedBeforeStep[step] = lines.size();
                ps.println("step " + step + ": cost " + cost);
            });
        }
        assertEquals(0, printedBeforeStep[1]);
        assertEquals(1, printedBeforeStep[2], "step 1 was printed before step 2's cost was computed");
        assertEquals(2, printedBeforeStep[3]);
        assertTrue(lines.get(0).startsWith("step 1: cost 0.02889"), lines.toString());
        assertEquals(ExitStatus.OK, run("--steps", "10"));
        assertEquals(10, out().lines().filter(l -> l.startsWith("step ")).count());
    }

    @Test
    void theReferenceBackendPrintsTheDocumentedPass() {
        System.setProperty(Backends.PROPERTY, "reference");
        assertEquals(ExitStatus.OK, run("--json"));
        assertTrue(out().startsWith("{\n  \"backend\": \"reference\",\n  \"inputs\": {\n"), out());
        assertTrue(out().contains("\n  \"forward\": {\n    \"CN\": [[1.0, 0.0], [-2.0, 1.0]],"), out());
        assertTrue(out().contains("\"dyhat\": -0.33996"), out());
        assertEquals("", err());
    }

    @Test
    void shadowedByTheReferenceTheJsonPassIsTheSameAndStderrSaysSoOnce() {
        System.setProperty(Backends.PROPERTY, "cpu");
        assertEquals(ExitStatus.OK, run("--json"));
        String plain = out();
        out.reset();
        System.setProperty(Backends.SHADOW_PROPERTY, "reference");
        assertEquals(ExitStatus.OK, run("--json"));
        assertEquals(plain.replace("\"backend\": \"cpu\"", "\"backend\": \"cpu shadowed by reference\""), out(),
                "every value as without the shadow");
        assertEquals(1, err().lines().count(), err());
        assertTrue(err().startsWith("tensor.shadow=reference: shadowing is on: every op of cpu also runs on reference"), err());
        out.reset();
        err.reset();
        assertEquals(ExitStatus.OK, run("--steps", "5"));
        assertEquals(5, out().lines().filter(l -> l.startsWith("step ")).count(), out());
        assertEquals(1, err().lines().count(), err());
    }

    @Test
    void anUnusableShadowIsOneLineAndStatus3() {
        System.setProperty(Backends.PROPERTY, "cpu");
        System.setProperty(Backends.SHADOW_PROPERTY, "tpu");
        assertEquals(ExitStatus.BACKEND_UNUSABLE, run("--json"));
        assertTrue(err().startsWith("error: tensor.shadow=tpu: unknown backend 'tpu'; known: auto, "), err());
        assertEquals(1, err().lines().count(), err());
    }

    @Test
    void helpPrintsUsage() {
        assertEquals(ExitStatus.OK, run("--help"));
        assertTrue(out().startsWith("Usage: java -jar network/target/network.jar"), out());
    }

    @Test
    void unknownBackendFailsWithOneLineListingTheKnownOnes() {
        System.setProperty(Backends.PROPERTY, "tpu");
        assertEquals(ExitStatus.BACKEND_UNUSABLE, run());
        // every provider on the class path is listed, most preferred first (cuda, when its jar is there, before cpu)
        assertTrue(err().startsWith("error: unknown backend 'tpu'; known: auto, "), err());
        assertTrue(err().contains("cpu"), err());
        assertEquals(1, err().lines().count(), err());
    }

    @Test
    void crosscheckWithoutAUsableGpuExitsWith3AndOneLine() {
        org.junit.jupiter.api.Assumptions.assumeFalse(
                Backends.providers().stream().anyMatch(p -> p.name().equals("cuda") && p.availability().usable()),
                "CUDA is usable here: the refusal cannot be observed (CrossCheckCommandTest covers the run)");
        assertEquals(3, run("crosscheck"));
        assertTrue(err().startsWith("crosscheck: cuda is unusable: "), err());
        assertEquals(1, err().lines().count(), err());
    }
    @Test
    void stepsAlsoTakesTheEqualsForm() {
        System.setProperty(Backends.PROPERTY, "cpu");
        assertEquals(ExitStatus.OK, run("--steps=2"));
        assertEquals(2, out().lines().filter(l -> l.startsWith("step ")).count(), out());
    }

    @Test
    void crosscheckHasItsOwnHelpAndRefusesThePassOptions() {
        assertEquals(ExitStatus.OK, run("crosscheck", "--help"));
        assertTrue(out().startsWith("Usage: java -jar network/target/network.jar crosscheck [-h] [--json]"), out());
        assertTrue(out().contains("Exit status: 0 all pass, 1 any fails, 3 CUDA is unusable here"), out());
        out.reset();
        assertEquals(ExitStatus.USAGE, run("--json", "crosscheck"));
        assertTrue(err().startsWith("error: --json, --steps and --stats before crosscheck belong to the pass;"), err());
        assertEquals("", out());
    }

    @Test
    void aStrayWordIsAnUnknownArgument() {
        assertEquals(ExitStatus.USAGE, run("crosscheck", "now"));
        assertTrue(err().startsWith("error: unknown argument 'now'"), err());
        assertEquals("", out());
    }

    @Test
    void helpListsTheExitStatuses() {
        assertEquals(ExitStatus.OK, run("-h"));
        assertTrue(out().contains("Exit status: 0 ok, 1 a check failed, 2 usage error, 3 backend unknown or"), out());
        assertTrue(out().contains("crosscheck"), out());
    }
}

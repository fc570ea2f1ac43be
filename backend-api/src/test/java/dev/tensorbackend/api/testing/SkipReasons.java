package dev.tensorbackend.api.testing;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestSource;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * Prints why tests were skipped, on the console: Surefire's console shows only "skipped" and
 * keeps the reason (a failed assumption such as "CUDA is unusable here: ...") in its XML
 * reports. After each test class, one line per distinct reason with the number of tests it
 * skipped. Registered through META-INF/services, so every module whose tests have this
 * class on their class path (backend-api's test-jar) gets it without any change to a test.
 */
public final class SkipReasons implements TestExecutionListener {
    private final PrintStream out;
    /** Per test class, per reason, how many tests or containers it skipped. */
    private final Map<String, Map<String, Integer>> skipped = new LinkedHashMap<>();

    public SkipReasons() {
        this(System.out);
    }

    SkipReasons(PrintStream out) {
        this.out = out;
    }

    @Override
    public void executionSkipped(TestIdentifier id, String reason) {
        record(id, reason);
        if (isClass(id)) {
            flush(className(id.getSource()));
        }
    }

    @Override
    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
        if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
            record(id, result.getThrowable().map(SkipReasons::message).orElse("aborted"));
        }
        if (isClass(id)) {
            flush(className(id.getSource()));
        }
    }

    private void record(TestIdentifier id, String reason) {
        String cls = className(id.getSource());
        if (cls != null) {
            skipped.computeIfAbsent(cls, c -> new LinkedHashMap<>()).merge(oneLine(reason), 1, Integer::sum);
        }
    }

    private void flush(String cls) {
        Map<String, Integer> reasons = skipped.remove(cls);
        if (reasons == null) {
            return;
        }
        String simple = cls.substring(cls.lastIndexOf('.') + 1);
        reasons.forEach((reason, n) -> out.println("[skipped] " + simple + ": " + n + (n == 1 ? " test: " : " tests: ") + reason));
        out.flush();
    }

    private static boolean isClass(TestIdentifier id) {
        return id.getSource().filter(ClassSource.class::isInstance).isPresent();
    }

    private static String className(Optional<TestSource> source) {
        return source.map(s -> s instanceof MethodSource m ? m.getClassName()
                : s instanceof ClassSource c ? c.getClassName() : null).orElse(null);
    }

    private static String message(Throwable t) {
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m.replaceFirst("^Assumption failed: ", "");
    }

    private static String oneLine(String reason) {
        return reason == null ? "no reason given" : reason.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}

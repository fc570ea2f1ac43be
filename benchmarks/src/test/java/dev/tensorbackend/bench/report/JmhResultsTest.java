package dev.tensorbackend.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JmhResultsTest {

    @Test
    void secondsPerCallFromEveryJmhUnit() {
        assertEquals(2.0, JmhResults.secondsPerCall(2, "s/op"), 0);
        assertEquals(0.002, JmhResults.secondsPerCall(2, "ms/op"), 1e-15);
        assertEquals(2e-6, JmhResults.secondsPerCall(2, "us/op"), 1e-18);
        assertEquals(2e-9, JmhResults.secondsPerCall(2, "ns/op"), 1e-21);
        assertEquals(0.25, JmhResults.secondsPerCall(4, "ops/s"), 0);
        assertEquals(0.00025, JmhResults.secondsPerCall(4, "ops/ms"), 1e-15);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> JmhResults.secondsPerCall(1, "furlongs"));
        assertTrue(e.getMessage().contains("furlongs"));
    }

    @Test
    void aNaNScoreAsJmhWritesItIsReadAsNaN() {
        String jmh = "[{\"benchmark\": \"dev.tensorbackend.bench.SoftmaxBench.forwardKernelOnly\", \"params\": {\"backend\": \"cpu\","
                + " \"size\": \"1024\"}, \"primaryMetric\": {\"score\": \"NaN\", \"scoreUnit\": \"ms/op\"}}]";
        List<Measurement> ms = JmhResults.parse(jmh, new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        assertEquals(1, ms.size());
        assertTrue(Double.isNaN(ms.get(0).seconds()), ms.toString());
    }

    @Test
    void aBrokenFileIsOneLineNamingWhereItBroke() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> JmhResults.parse("[{\"benchmark\": 1,\n", System.err));
        assertTrue(e.getMessage().startsWith("JMH JSON: ") && e.getMessage().contains("line 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> JmhResults.parse("{}", System.err));
        assertEquals("JMH JSON: expected an array of results", e.getMessage());
    }

    @Test
    void aBenchmarkOutsideThisSuiteIsNotDescribed() {
        assertTrue(BenchmarkCatalog.describe("org.example.Foo.bar", Map.of(), 1).isEmpty());
        assertTrue(BenchmarkCatalog.describe("dev.tensorbackend.bench.NoSuchBench.run", Map.of(), 1).isEmpty());
    }
}

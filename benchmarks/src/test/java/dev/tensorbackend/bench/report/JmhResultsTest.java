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
    void jsonParserReadsWhatJmhWrites() {
        Object v = Json.parse("{\"a\": [1, -2.5e3, \"NaN\", true, false, null], \"b\\\"\": \"x\\u0041\\n\", \"c\": {}}");
        Map<?, ?> m = (Map<?, ?>) v;
        List<?> a = (List<?>) m.get("a");
        assertEquals(1.0, a.get(0));
        assertEquals(-2500.0, a.get(1));
        assertTrue(Double.isNaN(Json.number(a.get(2))));
        assertEquals(Boolean.TRUE, a.get(3));
        assertEquals(Boolean.FALSE, a.get(4));
        assertEquals(null, a.get(5));
        assertEquals("xA\n", m.get("b\""));
        assertEquals(Map.of(), m.get("c"));
        assertEquals("\"q\\\"\\\\\\n\"", Json.quote("q\"\\\n"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("[1, 2"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("[1] x"));
    }

    @Test
    void aBenchmarkOutsideThisSuiteIsNotDescribed() {
        assertTrue(BenchmarkCatalog.describe("org.example.Foo.bar", Map.of(), 1).isEmpty());
        assertTrue(BenchmarkCatalog.describe("dev.tensorbackend.bench.NoSuchBench.run", Map.of(), 1).isEmpty());
    }
}

package dev.tensorbackend.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.tensorbackend.api.Backend;
import dev.tensorbackend.api.BackendException;
import dev.tensorbackend.api.BackendProvider;
import dev.tensorbackend.api.Backends;
import dev.tensorbackend.api.Tensor;
import dev.tensorbackend.api.check.CrossCheck;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * crosscheck without a GPU: on this machine it exits 3 with the reason; with a stand-in
 * "cuda" that is really the CPU it passes every op and value; with a stand-in whose softmax
 * is slightly wrong it fails and names softmax. The stand-ins come from the CPU provider
 * found by name, so this module still imports no backend class.
 */
class CrossCheckCommandTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(List<BackendProvider> providers) {
        return CrossCheckCommand.run(providers, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private static BackendProvider cpuProvider() {
        return Backends.provider("cpu", Backends.providers());
    }

    /** The baseline crosscheck compares with. */
    private static BackendProvider referenceProvider() {
        return Backends.provider(CrossCheckCommand.BASELINE, Backends.providers());
    }

    /** The CPU under the name "cuda", with {@code softmaxFix} applied to every softmax result. */
    private static BackendProvider standIn(UnaryOperator<float[]> softmaxFix) {
        return new BackendProvider() {
            @Override
            public String name() {
                return "cuda";
            }

            @Override
            public int priority() {
                return 100;
            }

            @Override
            public Availability availability() {
                return Availability.yes();
            }

            @Override
            public Backend create() {
                Backend cpu = cpuProvider().create();
                return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
                        (proxy, method, args) -> {
                            if (method.getName().equals("name")) {
                                return "cuda";
                            }
                            try {
                                Object result = method.invoke(cpu, args);
                                if (method.getName().equals("softmax")) {
                                    Tensor y = (Tensor) result;
                                    return cpu.upload(y.shape(), softmaxFix.apply(cpu.download(y)));
                                }
                                return result;
                            } catch (InvocationTargetException e) {
                                throw e.getCause();
                            }
                        });
            }
        };
    }

    @Test
    void onThisMachineCudaIsUnusableExitThreeWithTheReason() {
        BackendProvider cuda = Backends.provider("cuda", Backends.providers());
        assumeFalse(cuda.availability().usable(), "CUDA is usable here; the unusable path cannot be observed");
        assertEquals(ExitStatus.BACKEND_UNUSABLE, CrossCheckCommand.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertEquals("crosscheck: cuda is unusable: " + cuda.availability().reason() + System.lineSeparator(), err());
        assertEquals("", out());
    }

    @Test
    void withoutACudaProviderItIsUnusableToo() {
        assertEquals(ExitStatus.BACKEND_UNUSABLE, run(List.of(cpuProvider())));
        assertTrue(err().startsWith("crosscheck: cuda is unusable: unknown backend 'cuda'"), err());
        assertEquals(1, err().lines().count());
    }

    @Test
    void aBackendThatFailsToOpenIsUnusable() {
        BackendProvider broken = new BackendProvider() {
            public String name() {
                return "cuda";
            }

            public int priority() {
                return 100;
            }

            public Availability availability() {
                return Availability.yes();
            }

            public Backend create() {
                throw new BackendException("cuda: opening device 0 failed: CUDA_ERROR_OUT_OF_MEMORY");
            }
        };
        assertEquals(ExitStatus.BACKEND_UNUSABLE, run(List.of(broken, referenceProvider())));
        assertTrue(err().contains("CUDA_ERROR_OUT_OF_MEMORY"), err());
    }

    @Test
    void aCorrectBackendPassesEveryOpAndEveryDocumentedValue() {
        assertEquals(ExitStatus.OK, run(List.of(standIn(v -> v), referenceProvider())), out());
        String text = out();
        java.util.Set<String> methods = new java.util.TreeSet<>(CrossCheck.backendMethods());
        methods.removeAll(CrossCheck.NOT_COMPARED.keySet());
        for (String m : methods) {
            assertTrue(text.lines().anyMatch(l -> l.startsWith(m + " ") && l.endsWith("PASS")), "no PASS line for " + m + ":\n" + text);
        }
        for (String value : new String[] {"forward CN", "forward A", "forward yhat", "gradients dS", "gradients F", "updated WD"}) {
            assertTrue(text.lines().anyMatch(l -> l.startsWith(value + " ") && l.endsWith("PASS")), "no PASS line for " + value);
        }
        assertTrue(text.strip().endsWith("crosscheck: PASS"), text);
        assertTrue(text.startsWith("crosscheck: cuda against reference; an element passes when |cuda - reference| <= atol"), text);
        assertTrue(text.lines().anyMatch(l -> l.startsWith("relu/1 ") && l.contains("max|err| 0 ")),
                "an element-wise op is exact against the plain loops:\n" + text);
    }

    @Test
    void aSlightlyWrongSoftmaxFailsAndIsNamed() {
        UnaryOperator<float[]> off = v -> {
            float[] w = v.clone();
            for (int i = 0; i < w.length; i++) {
                w[i] *= 1.001f;
            }
            return w;
        };
        assertEquals(ExitStatus.CHECK_FAILED, run(List.of(standIn(off), referenceProvider())));
        String text = out();
        assertTrue(text.lines().anyMatch(l -> l.startsWith("softmax/1 ") && l.endsWith("FAIL")), text);
        assertTrue(text.lines().anyMatch(l -> l.startsWith("relu/1 ") && l.endsWith("PASS")), text);
        assertTrue(text.lines().anyMatch(l -> l.startsWith("forward A ") && l.endsWith("FAIL")), "attention weights differ:\n" + text);
        assertTrue(text.strip().endsWith("crosscheck: FAIL (ops failed) (documented pass differs)"), text);
    }

    @Test
    void jsonHoldsEveryRowWithItsErrorsAndTheVerdict() throws Exception {
        UnaryOperator<float[]> off = v -> {
            float[] w = v.clone();
            for (int i = 0; i < w.length; i++) {
                w[i] *= 1.001f;
            }
            return w;
        };
        assertEquals(ExitStatus.CHECK_FAILED, CrossCheckCommand.run(List.of(standIn(off), referenceProvider()), true,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)));
        com.fasterxml.jackson.databind.JsonNode root = Json.MAPPER.readTree(out());
        assertEquals("cuda", root.get("candidate").asText());
        assertEquals("reference", root.get("baseline").asText());
        assertEquals(false, root.get("passed").asBoolean());
        com.fasterxml.jackson.databind.JsonNode softmax = null;
        com.fasterxml.jackson.databind.JsonNode relu = null;
        for (com.fasterxml.jackson.databind.JsonNode op : root.get("ops")) {
            if (op.get("name").asText().equals("softmax/1")) {
                softmax = op;
            } else if (op.get("name").asText().equals("relu/1")) {
                relu = op;
            }
        }
        assertEquals(false, softmax.get("passed").asBoolean(), softmax.toString());
        // every softmax value is 0.1% off, and softmax values are at most 1: the worst absolute error is 0.001;
        // the relative one is at least 0.1% (float rounding of the tiniest values moves their ratio further)
        assertEquals(1e-3, softmax.get("maxAbsError").asDouble(), 1e-6, softmax.toString());
        assertTrue(softmax.get("maxRelError").asDouble() >= 9.9e-4, softmax.toString());
        assertTrue(softmax.has("detail"), softmax.toString());
        assertEquals(true, relu.get("passed").asBoolean());
        assertEquals(0.0, relu.get("maxAbsError").asDouble(), "relu is exact against the plain loops");
        assertEquals(1e-5, root.get("documentedPass").get("atol").asDouble());
        assertTrue(out().startsWith("{\n  \"candidate\": \"cuda\",\n"), out());
        assertTrue(out().contains("\n  \"ops\": [\n    {\"name\": "), "one op a line:\n" + out());
        assertEquals("", err());
    }
}

package dev.tensorbackend.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report's ours/PyTorch columns, from a synthetic JMH result written here in JMH's layout
 * (no DJL needed: the report only reads the PyTorch classes' names). Times are chosen so that
 * each ratio is worked out by hand: same work on both sides, so ours/PyTorch is PyTorch's time
 * over ours.
 */
class PytorchColumnsTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String PKG = "dev.tensorbackend.bench.";

    @TempDir
    Path dir;

    private static void result(ArrayNode results, String benchmark, String backend, String key, String value, double ms) {
        ObjectNode r = results.addObject();
        r.put("benchmark", PKG + benchmark);
        r.put("mode", "avgt");
        ObjectNode params = r.putObject("params");
        if (backend != null) {
            params.put("backend", backend); // PyTorch's classes have no backend parameter
        }
        params.put(key, value);
        ObjectNode metric = r.putObject("primaryMetric");
        metric.put("score", ms);
        metric.put("scoreUnit", "ms/op");
    }

    private List<Measurement> write(ArrayNode results) throws IOException {
        Path json = dir.resolve("jmh-result.json");
        Files.writeString(json, MAPPER.writeValueAsString(results));
        return ReportWriter.write(json, dir, List.of("PyTorch measured: test"),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    private static ArrayNode sample() {
        ArrayNode r = MAPPER.createArrayNode();
        // matmul 512: ours 100 ms (2.68 GFLOP/s), PyTorch 25 ms (10.7): ours/PyTorch 0.25
        result(r, "MatmulBench.kernelOnly", "cpu", "size", "512", 100);
        result(r, "PytorchMatmulBench.kernelOnly", null, "size", "512", 25);
        // attention scores (2,097,152 flops): ours 0.2 ms (10.5 GFLOP/s), PyTorch 0.1 ms: 0.50
        result(r, "MatmulBench.kernelOnly", "cpu", "size", "qkt-8x64x32", 0.2);
        result(r, "PytorchMatmulBench.kernelOnly", null, "size", "qkt-8x64x32", 0.1);
        // conv2d filter gradient: ours 1 ms, PyTorch 4 ms: 4.00
        result(r, "Conv2dBench.backwardFilterKernelOnly", "cpu", "shape", "mid", 1);
        result(r, "PytorchConv2dBench.backwardFilterKernelOnly", null, "shape", "mid", 4);
        // softmax backward 1024: ours 2 ms, PyTorch 3 ms: 1.50
        result(r, "SoftmaxBench.backwardKernelOnly", "cpu", "size", "1024", 2);
        result(r, "PytorchSoftmaxBench.backwardKernelOnly", null, "size", "1024", 3);
        // training step: ours 30 ms, PyTorch 3 ms: 0.10
        result(r, "TrainStepBench.kernelOnly", "cpu", "config", "small", 30);
        result(r, "PytorchTrainStepBench.kernelOnly", null, "config", "small", 3);
        // softmax forward measured by PyTorch alone: its table has no ratio column
        result(r, "PytorchSoftmaxBench.forwardKernelOnly", null, "size", "2048", 1);
        return r;
    }

    @Test
    void pytorchResultsBecomeTheirOwnKernelOnlySeries() throws IOException {
        List<Measurement> ms = write(sample());
        assertEquals(11, ms.size());
        Measurement m = ms.stream().filter(x -> x.backend().equals("pytorch") && x.size().equals("512")).findFirst().orElseThrow();
        assertEquals("matmul", m.op());
        assertEquals(Series.KERNEL_ONLY, m.variant());
        assertEquals(2.0 * 512 * 512 * 512 / 0.025 / 1e9, m.throughput(), 1e-9);
        assertEquals("PyTorch", m.series().label());
        assertEquals(List.of("conv2d backward-filter"), ms.stream()
                .filter(x -> x.backend().equals("pytorch") && x.size().equals("mid")).map(Measurement::op).toList());
    }

    @Test
    void markdownHasAnOursOverPytorchColumnPerOpAndSize() throws IOException {
        write(sample());
        String md = Files.readString(dir.resolve(ReportWriter.MARKDOWN_FILE));
        assertTrue(md.contains("| size | shape | cpu | PyTorch | ours/PyTorch |\n"), md);
        assertTrue(md.contains("| 512 | [512,512] x [512,512] | 2.68 | 10.7 | 0.25x |\n"), md);
        assertTrue(md.contains("| qkt-8x64x32 | [8,64,32] x [8,64,32]^T | 10.5 | 21.0 | 0.50x |\n"), md);
        assertTrue(md.contains("| mid | in [8,16,64,64] f [32,16,3,3] s1 p1 | 302 | 75.5 | 4.00x |\n"), md);
        assertTrue(md.contains("| 1024 | [1024,1024] | 6.29 | 4.19 | 1.50x |\n"), md);
        assertTrue(md.contains("| small | tokens 64, width 32, filter 2, stride 2, batch 8 |"), md);
        assertTrue(md.contains(" | 0.10x |\n"), md);
        assertTrue(md.contains("## softmax forward (GB/s)\n\n| size | shape | PyTorch |\n"), md);
        assertTrue(md.contains("- PyTorch measured: test\n"), md);
    }

    @Test
    void jsonAndTheSpeedupChartCarryPytorch() throws Exception {
        write(sample());
        JsonNode json = MAPPER.readTree(dir.resolve(ReportWriter.JSON_FILE).toFile());
        JsonNode row = null;
        for (JsonNode m : json.get("measurements")) {
            if (m.get("backend").asText().equals("pytorch") && m.get("size").asText().equals("qkt-8x64x32")) {
                row = m;
            }
        }
        assertTrue(row != null, json.toString());
        assertEquals("attention QK^T", row.get("op").asText());
        assertEquals(2.0 * 8 * 64 * 64 * 32 / 1e-4 / 1e9, row.get("gflops").asDouble(), 1e-3);
        String speedups = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(dir.resolve(ReportWriter.SPEEDUP_SVG_FILE).toFile()).getDocumentElement().getTextContent();
        assertTrue(speedups.contains("ours/PyTorch"), "ours/PyTorch in the speedup chart");
        String throughput = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(dir.resolve(ReportWriter.SVG_FILE).toFile()).getDocumentElement().getTextContent();
        assertTrue(throughput.contains("PyTorch"), "PyTorch in the throughput chart's legend");
    }

    @Test
    void withoutPytorchThereIsNoColumnForIt() throws IOException {
        ArrayNode r = MAPPER.createArrayNode();
        result(r, "MatmulBench.kernelOnly", "cpu", "size", "512", 100);
        write(r);
        String md = Files.readString(dir.resolve(ReportWriter.MARKDOWN_FILE));
        assertFalse(md.contains("PyTorch |"), md);
        assertTrue(md.contains("| size | shape | cpu |\n"), md);
    }
}

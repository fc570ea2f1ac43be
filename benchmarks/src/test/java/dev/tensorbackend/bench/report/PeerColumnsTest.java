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
 * The report's columns for the CPU peers built under -Pbench, ours/PyTorch and ours/OpenBLAS,
 * from synthetic JMH results written here in JMH's layout (no DJL or OpenBLAS needed: the report
 * only reads the peers' class names). Times are chosen so that each ratio is worked out by hand:
 * same work on both sides, so ours/peer is the peer's time over ours.
 */
class PeerColumnsTest {
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
            params.put("backend", backend); // the peers' classes have no backend parameter
        }
        params.put(key, value);
        ObjectNode metric = r.putObject("primaryMetric");
        metric.put("score", ms);
        metric.put("scoreUnit", "ms/op");
    }

    private List<Measurement> write(ArrayNode results) throws IOException {
        return write(results, List.of("PyTorch measured: test"));
    }

    private List<Measurement> write(ArrayNode results, List<String> notes) throws IOException {
        Path json = dir.resolve("jmh-result.json");
        Files.writeString(json, MAPPER.writeValueAsString(results));
        return ReportWriter.write(json, dir, notes, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
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

    /** OpenBLAS beside PyTorch: matmul 1024 has both, 512 OpenBLAS only, attention AV OpenBLAS alone. */
    private static ArrayNode withOpenblas() {
        ArrayNode r = MAPPER.createArrayNode();
        // matmul 1024 (2^31 flops): ours 12 ms (179 GFLOP/s), PyTorch 16 ms (134): 1.33x, OpenBLAS 11 ms (195): 0.92x
        result(r, "MatmulBench.kernelOnly", "cpu", "size", "1024", 12);
        result(r, "PytorchMatmulBench.kernelOnly", null, "size", "1024", 16);
        result(r, "OpenblasMatmulBench.kernelOnly", null, "size", "1024", 11);
        // matmul 512 (2^28 flops): ours 1.5 ms (179), OpenBLAS 1.25 ms (215): 0.83x; no PyTorch
        result(r, "MatmulBench.kernelOnly", "cpu", "size", "512", 1.5);
        result(r, "OpenblasMatmulBench.kernelOnly", null, "size", "512", 1.25);
        // attention scores (2,097,152 flops): ours 0.2 ms (10.5), OpenBLAS 0.05 ms (41.9): 0.25x
        result(r, "MatmulBench.kernelOnly", "cpu", "size", "qkt-8x64x32", 0.2);
        result(r, "OpenblasMatmulBench.kernelOnly", null, "size", "qkt-8x64x32", 0.05);
        // attention output measured by OpenBLAS alone: its table has no ratio column
        result(r, "OpenblasMatmulBench.kernelOnly", null, "size", "av-8x64x32", 0.1);
        return r;
    }

    private static final String OPENBLAS_NOTE =
            "OpenBLAS measured: OpenBLAS 0.3.31 through JavaCPP presets 1.5.13, 2 threads (as our CPU backend), core Cooperlake";

    @Test
    void openblasResultsBecomeTheirOwnKernelOnlySeries() throws IOException {
        List<Measurement> ms = write(withOpenblas(), List.of(OPENBLAS_NOTE));
        assertEquals(8, ms.size());
        Measurement m = ms.stream().filter(x -> x.backend().equals("openblas") && x.size().equals("1024")).findFirst().orElseThrow();
        assertEquals("matmul", m.op());
        assertEquals(Series.KERNEL_ONLY, m.variant());
        assertEquals(Series.OPENBLAS, m.series());
        assertEquals("OpenBLAS", m.series().label());
        assertEquals(2.0 * 1024 * 1024 * 1024 / 0.011 / 1e9, m.throughput(), 1e-9);
        assertEquals("[1024,1024] x [1024,1024]", m.shape());
        assertEquals(List.of("attention QK^T", "attention AV"), ms.stream()
                .filter(x -> x.backend().equals("openblas") && !x.op().equals("matmul")).map(Measurement::op).toList());
    }

    @Test
    void markdownHasOursOverOpenblasBesideOursOverPytorch() throws IOException {
        write(withOpenblas(), List.of(OPENBLAS_NOTE));
        String md = Files.readString(dir.resolve(ReportWriter.MARKDOWN_FILE));
        assertTrue(md.contains("## matmul (GFLOP/s)\n\n| size | shape | cpu | PyTorch | OpenBLAS | ours/PyTorch | ours/OpenBLAS |\n"), md);
        assertTrue(md.contains("| 512 | [512,512] x [512,512] | 179 | — | 215 | — | 0.83x |\n"), md);
        assertTrue(md.contains("| 1024 | [1024,1024] x [1024,1024] | 179 | 134 | 195 | 1.33x | 0.92x |\n"), md);
        assertTrue(md.contains("| qkt-8x64x32 | [8,64,32] x [8,64,32]^T | 10.5 | 41.9 | 0.25x |\n"), md);
        assertTrue(md.contains("## attention AV (GFLOP/s)\n\n| size | shape | OpenBLAS |\n"), md);
        assertTrue(md.contains("| av-8x64x32 | [8,64,64] x [8,64,32] | 21.0 |\n"), md);
        assertTrue(md.contains("- " + OPENBLAS_NOTE + "\n"), md);
    }

    @Test
    void jsonAndBothChartsCarryOpenblas() throws Exception {
        write(withOpenblas(), List.of(OPENBLAS_NOTE));
        JsonNode json = MAPPER.readTree(dir.resolve(ReportWriter.JSON_FILE).toFile());
        assertEquals(OPENBLAS_NOTE, json.get("notes").get(0).asText());
        JsonNode row = null;
        for (JsonNode m : json.get("measurements")) {
            if (m.get("backend").asText().equals("openblas") && m.get("size").asText().equals("1024")) {
                row = m;
            }
        }
        assertTrue(row != null, json.toString());
        assertEquals("matmul", row.get("op").asText());
        assertEquals("kernel-only", row.get("variant").asText());
        assertEquals(0.011, row.get("seconds").asDouble(), 1e-12);
        assertEquals(195.226, row.get("gflops").asDouble(), 1e-3);
        String speedups = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(dir.resolve(ReportWriter.SPEEDUP_SVG_FILE).toFile()).getDocumentElement().getTextContent();
        assertTrue(speedups.contains("ours/OpenBLAS"), "ours/OpenBLAS in the speedup chart");
        assertTrue(speedups.contains("ours/PyTorch"), "ours/PyTorch in the speedup chart");
        String throughput = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(dir.resolve(ReportWriter.SVG_FILE).toFile()).getDocumentElement().getTextContent();
        assertTrue(throughput.contains("OpenBLAS"), "OpenBLAS in the throughput chart's legend");
    }

    @Test
    void withoutOpenblasThereIsNoColumnForIt() throws IOException {
        write(sample());
        String md = Files.readString(dir.resolve(ReportWriter.MARKDOWN_FILE));
        assertFalse(md.contains("OpenBLAS"), md);
    }
    /**
     * The array copy is the bandwidth ceiling of both softmax tables: one JMH result, a column
     * in each, and ours/copy. Softmax 1024 moves 8 MiB forward and 12 MiB backward; the copy
     * 8 MiB: copy 1 ms (8.39 GB/s), forward 2 ms (4.19 GB/s): 0.50x; backward 2 ms (6.29): 0.75x.
     */
    @Test
    void theArrayCopyIsAColumnOfBothSoftmaxTablesWithOursOverCopy() throws IOException {
        ArrayNode r = MAPPER.createArrayNode();
        result(r, "SoftmaxBench.forwardKernelOnly", "cpu", "size", "1024", 2);
        result(r, "SoftmaxBench.backwardKernelOnly", "cpu", "size", "1024", 2);
        result(r, "SoftmaxCopyBench.copy", null, "size", "1024", 1);
        List<Measurement> ms = write(r, List.of());
        assertEquals(List.of("softmax forward", "softmax backward"), ms.stream()
                .filter(x -> x.series().equals(Series.COPY)).map(Measurement::op).toList());
        String md = Files.readString(dir.resolve(ReportWriter.MARKDOWN_FILE));
        assertTrue(md.contains("## softmax forward (GB/s)\n\n| size | shape | cpu | array copy | ours/copy |\n"), md);
        assertTrue(md.contains("| 1024 | [1024,1024] | 4.19 | 8.39 | 0.50x |\n"), md);
        assertTrue(md.contains("| 1024 | [1024,1024] | 6.29 | 8.39 | 0.75x |\n"), md);
    }
}

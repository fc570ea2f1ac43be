package dev.tensorbackend.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The report writer on a fabricated JMH result file (src/test/resources/jmh-sample.json,
 * in JMH 1.37's layout) whose scores were chosen so that every expected number below can
 * be worked out by hand: e.g. a 512^3 matmul is 2 * 512^3 = 268,435,456 flops, so 100 ms
 * per call is 2.68435456 GFLOP/s.
 */
class ReportWriterTest {
    private static final double MATMUL_512_FLOPS = 268_435_456.0;

    @TempDir
    Path dir;

    private Path jmhJson;
    private ByteArrayOutputStream log;

    @BeforeEach
    void copySample() throws IOException {
        jmhJson = dir.resolve("jmh-result.json");
        try (InputStream in = getClass().getResourceAsStream("/jmh-sample.json")) {
            Files.write(jmhJson, in.readAllBytes());
        }
        log = new ByteArrayOutputStream();
    }

    private List<Measurement> write() throws IOException {
        return ReportWriter.write(jmhJson, dir, List.of("machine: test box", "mode: quick"),
                new PrintStream(log, true, StandardCharsets.UTF_8));
    }

    private static Measurement find(List<Measurement> ms, String op, String backend, String variant, String size) {
        List<Measurement> found = ms.stream()
                .filter(m -> m.op().equals(op) && m.backend().equals(backend) && m.variant().equals(variant)
                        && m.size().equals(size))
                .collect(Collectors.toList());
        assertEquals(1, found.size(), op + " " + backend + " " + variant + " " + size);
        return found.get(0);
    }

    private static void assertClose(double expected, double actual) {
        assertEquals(expected, actual, Math.abs(expected) * 1e-9, "expected " + expected + ", got " + actual);
    }

    @Test
    void parsesEveryKnownBenchmarkAndNamesTheUnknownOne() throws IOException {
        List<Measurement> ms = write();
        assertEquals(12, ms.size());
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("com.example.OtherBench.measure"), log.toString());
    }

    @Test
    void convertsUnitsToSecondsAndWorkToThroughput() throws IOException {
        List<Measurement> ms = write();

        Measurement cpu = find(ms, "matmul", "cpu", "kernel-only", "512");
        assertClose(0.1, cpu.seconds());
        assertClose(MATMUL_512_FLOPS, cpu.work().flops());
        assertClose(2.68435456, cpu.throughput());
        assertEquals("[512,512] x [512,512]", cpu.shape());

        assertClose(134.217728, find(ms, "matmul", "cuda", "kernel-only", "512").throughput());
        assertClose(268.435456, find(ms, "matmul", "cuda", "cublas kernel-only", "512").throughput());
        assertClose(26.8435456, find(ms, "matmul", "cuda", "end-to-end", "512").throughput());
        assertClose(5.36870912, find(ms, "matmul", "ejml", "single-thread", "512").throughput());

        // Q K^T, batch 8, 64 tokens, width 32: 2*8*64*64*32 = 2,097,152 flops in 2.5 us
        Measurement qkt = find(ms, "attention QK^T", "cpu", "kernel-only", "qkt-8x64x32");
        assertClose(2.5e-6, qkt.seconds());
        assertClose(838.8608, qkt.throughput());
        assertEquals("[8,64,32] x [8,64,32]^T", qkt.shape());

        // softmax 1024^2 forward moves 2 * 4 B * 1,048,576 = 8,388,608 B in 4 ms
        Measurement fwd = find(ms, "softmax forward", "cpu", "kernel-only", "1024");
        assertFalse(fwd.work().isCompute());
        assertClose(2.097152, fwd.throughput());
        // backward reported as throughput, 250 ops/s: 4 ms per call, 3 * 4 B * 1,048,576 B moved
        Measurement bwd = find(ms, "softmax backward", "cpu", "kernel-only", "1024");
        assertClose(0.004, bwd.seconds());
        assertClose(3.145728, bwd.throughput());

        // mid conv: output [8,32,64,64] = 1,048,576 values, 16*3*3 = 144 taps each, 2 flops a tap
        Measurement conv = find(ms, "conv2d backward-filter", "cpu", "kernel-only", "mid");
        assertClose(301_989_888.0, conv.work().flops());
        assertClose(0.201326592, conv.throughput());

        // documented network: per sample conv 2*2*4 + QKV 3*2*2*2 + scores and output 2*2*2*2
        // + dense 2*2 = 60 multiply-adds, x2 flops, x3 for the step = 360 flops in 10 us
        Measurement step = find(ms, "training step", "cpu", "kernel-only", "documented");
        assertClose(360.0, step.work().flops());
        assertClose(0.036, step.throughput());
    }

    @Test
    void jsonReportHasOneEntryPerMeasurementWithGflopsOrGbps() throws IOException {
        write();
        Map<?, ?> report = (Map<?, ?>) parse(Files.readString(dir.resolve(ReportWriter.JSON_FILE)));
        assertEquals(List.of("machine: test box", "mode: quick"), report.get("notes"));
        String text = Files.readString(dir.resolve(ReportWriter.JSON_FILE));
        assertTrue(text.startsWith("{\n  \"notes\": [\n    \"machine: test box\",\n    \"mode: quick\"\n  ],\n"
                + "  \"measurements\": [\n    {\"op\": \"matmul\", \"variant\": "), "one note, one measurement a line:\n" + text);
        assertTrue(text.endsWith("}\n  ]\n}\n"), text);
        List<?> entries = (List<?>) report.get("measurements");
        assertEquals(12, entries.size());
        Map<?, ?> cublas = entries.stream().map(e -> (Map<?, ?>) e)
                .filter(e -> e.get("variant").equals("cublas kernel-only")).findFirst().orElseThrow();
        assertEquals("matmul", cublas.get("op"));
        assertEquals("cuda", cublas.get("backend"));
        assertEquals("[512,512] x [512,512]", cublas.get("shape"));
        assertEquals(0.001, num(cublas.get("seconds")), 1e-12);
        assertEquals(268.435, num(cublas.get("gflops")), 1e-3);
        assertFalse(cublas.containsKey("gbps"));
        Map<?, ?> softmax = entries.stream().map(e -> (Map<?, ?>) e)
                .filter(e -> e.get("op").equals("softmax forward")).findFirst().orElseThrow();
        assertEquals(2.09715, num(softmax.get("gbps")), 1e-5);
        assertFalse(softmax.containsKey("gflops"));
    }

    @Test
    void markdownTablesShowThroughputAndSpeedupsMeasuredInTheRun() throws IOException {
        write();
        String md = Files.readString(dir.resolve(ReportWriter.MARKDOWN_FILE));
        assertTrue(md.contains("- machine: test box\n"), md);
        assertTrue(md.contains("## matmul (GFLOP/s)\n"), md);
        // CUDA/CPU 134.2/2.684 = 50; e2e 26.84/2.684 = 10; kernel/cuBLAS 134.2/268.4 = 0.5;
        // ours/EJML 2.684/5.369 = 0.5 single-threaded and 2.684/10.74 = 0.25 multi-threaded
        assertTrue(md.contains("| size | shape | cpu | cuda | cuda e2e | cuda cuBLAS"
                + " | EJML 1T | EJML MT | CUDA/CPU | CUDA e2e/CPU | kernel/cuBLAS"
                + " | ours/EJML 1T | ours/EJML MT |\n"), md);
        assertTrue(md.contains("| 512 | [512,512] x [512,512] | 2.68 | 134 | 26.8 | 268 | 5.37 | 10.7"
                + " | 50x | 10x | 0.50x | 0.50x | 0.25x |\n"), md);
        // 64^3: 524,288 flops in 0.25 ms; no other series there, so dashes in the ratio columns
        assertTrue(md.contains("| 64 | [64,64] x [64,64] | 2.10 | — | — | — | — | — | — | — | — | — | — |\n"), md);
        // the smaller size comes first
        assertTrue(md.indexOf("| 64 |") < md.indexOf("| 512 |"), md);
        // a table with the CPU alone has no speedup columns
        assertTrue(md.contains("## softmax forward (GB/s)\n\n| size | shape | cpu |\n| --- | --- | ---: |\n"
                + "| 1024 | [1024,1024] | 2.10 |\n"), md);
        assertTrue(md.contains("| mid | in [8,16,64,64] f [32,16,3,3] s1 p1 | 0.201 |"), md);
        // ops in the report's fixed order
        assertTrue(md.indexOf("## matmul") < md.indexOf("## attention QK^T"), md);
        assertTrue(md.indexOf("## conv2d backward-filter") < md.indexOf("## softmax forward"), md);
        assertTrue(md.indexOf("## softmax backward") < md.indexOf("## training step"), md);
    }

    @Test
    void bothChartsAreWellFormedSvgWithTitledLogAxesAndAPngBeside() throws Exception {
        write();
        Document svg = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(dir.resolve(ReportWriter.SVG_FILE).toFile());
        assertEquals("svg", svg.getDocumentElement().getTagName());
        String text = svg.getDocumentElement().getTextContent();
        for (String title : List.of("matmul (GFLOP/s)", "attention QK^T (GFLOP/s)", "softmax forward (GB/s)",
                "softmax backward (GB/s)", "conv2d backward-filter (GFLOP/s)", "training step (GFLOP/s)",
                "throughput (GFLOP/s), log scale", "work per call (GFLOP), log scale", "throughput (GB/s), log scale",
                "data moved per call (MB), log scale", "cuda cuBLAS", "EJML 1T", "EJML MT")) {
            assertTrue(text.contains(title), title + " in the throughput chart");
        }
        // six panels, two a row
        java.awt.image.BufferedImage png = javax.imageio.ImageIO.read(dir.resolve(ReportWriter.PNG_FILE).toFile());
        assertEquals(1200, png.getWidth());
        assertEquals(3 * 420, png.getHeight());
        String speedups = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(dir.resolve(ReportWriter.SPEEDUP_SVG_FILE).toFile()).getDocumentElement().getTextContent();
        for (String title : List.of("matmul: speedups", "kernel/cuBLAS", "ours/EJML 1T", "ours/EJML MT",
                "speedup (x; above 1 the first is faster), log scale")) {
            assertTrue(speedups.contains(title), title + " in the speedup chart");
        }
        assertTrue(javax.imageio.ImageIO.read(dir.resolve(ReportWriter.SPEEDUP_PNG_FILE).toFile()).getWidth() == 1200);
    }

    @Test
    void linesJoinOnlySizesOfOneFamilyAndEachSeriesIsInTheLegendOnce() {
        assertEquals(SizeFamily.of("256"), SizeFamily.of("4096"));
        assertEquals(SizeFamily.of("qkt-8x64x32"), SizeFamily.of("qkt-8x128x32"));
        assertFalse(SizeFamily.of("256").equals(SizeFamily.of("qkt-8x64x32")));
        assertFalse(SizeFamily.of("documented").equals(SizeFamily.of("mid")));
        dev.tensorbackend.bench.workload.Work small = dev.tensorbackend.bench.workload.Work.flops(2e3);
        dev.tensorbackend.bench.workload.Work big = dev.tensorbackend.bench.workload.Work.flops(2e9);
        List<Measurement> ms = List.of(
                new Measurement("conv2d forward", "kernel-only", "cpu", "documented", "toy", 1e-6, small),
                new Measurement("conv2d forward", "kernel-only", "cpu", "mid", "layer", 1e-1, big),
                new Measurement("matmul", "kernel-only", "cpu", "256", "256", 1e-3, Work256.W),
                new Measurement("matmul", "kernel-only", "cpu", "512", "512", 8e-3, Work256.W8));
        List<OpTable> tables = OpTable.of(ms);
        org.jfree.chart.plot.XYPlot matmul = ThroughputChart.of(tables.get(0)).getXYPlot();
        assertEquals(1, matmul.getDataset().getSeriesCount(), "256 and 512 on one line");
        assertEquals(2, matmul.getDataset().getItemCount(0));
        assertEquals(0.033554432, matmul.getDataset().getXValue(0, 0), 1e-12, "x is GFLOP per call: 2 * 256^3");
        assertEquals(33.554432, matmul.getDataset().getYValue(0, 0), 1e-9, "y is GFLOP/s");
        org.jfree.chart.plot.XYPlot conv = ThroughputChart.of(tables.get(1)).getXYPlot();
        assertEquals(2, conv.getDataset().getSeriesCount(), "the toy and the layer are not joined");
        assertEquals(1, conv.getDataset().getItemCount(0));
        assertTrue(conv.getRenderer().isSeriesVisibleInLegend(0));
        assertFalse(conv.getRenderer().isSeriesVisibleInLegend(1), "one legend entry for cpu");
        assertTrue(conv.getRangeAxis() instanceof org.jfree.chart.axis.LogarithmicAxis);
        assertTrue(conv.getDomainAxis() instanceof org.jfree.chart.axis.LogarithmicAxis);
    }

    @Test
    void everySeriesHasItsOwnColourAndMarker() {
        List<Series> all = Series.ORDER;
        for (int i = 0; i < all.size(); i++) {
            for (int j = i + 1; j < all.size(); j++) {
                Series a = all.get(i);
                Series b = all.get(j);
                boolean sameLook = ChartStyle.color(a).equals(ChartStyle.color(b));
                assertFalse(sameLook, a.label() + " and " + b.label() + " share a colour");
            }
        }
        assertFalse(ChartStyle.marker(Series.EJML_1T).getBounds2D().equals(ChartStyle.marker(Series.EJML_MT).getBounds2D())
                && ChartStyle.marker(Series.EJML_1T).getClass().equals(ChartStyle.marker(Series.EJML_MT).getClass())
                && java.util.Arrays.equals(path(ChartStyle.marker(Series.EJML_1T)), path(ChartStyle.marker(Series.EJML_MT))),
                "EJML 1T and MT differ in their markers too");
    }

    private static double[] path(java.awt.Shape s) {
        java.util.List<Double> coords = new java.util.ArrayList<>();
        double[] c = new double[6];
        for (java.awt.geom.PathIterator it = s.getPathIterator(null); !it.isDone(); it.next()) {
            int type = it.currentSegment(c);
            coords.add((double) type);
            for (int k = 0; k < 2; k++) {
                coords.add(c[k]);
            }
        }
        return coords.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** 2 * 256^3 and 2 * 512^3 flops. */
    private static final class Work256 {
        static final dev.tensorbackend.bench.workload.Work W = dev.tensorbackend.bench.workload.Work.flops(2.0 * 256 * 256 * 256);
        static final dev.tensorbackend.bench.workload.Work W8 = dev.tensorbackend.bench.workload.Work.flops(2.0 * 512 * 512 * 512);
    }

    @Test
    void anEmptyRunStillWritesAllThreeFiles() throws IOException {
        Files.writeString(jmhJson, "[]\n");
        assertTrue(write().isEmpty());
        assertTrue(Files.readString(dir.resolve(ReportWriter.MARKDOWN_FILE)).contains("No measurements."));
        assertTrue(Files.readString(dir.resolve(ReportWriter.SVG_FILE)).contains("No measurements."));
        assertTrue(Files.readString(dir.resolve(ReportWriter.SPEEDUP_SVG_FILE)).contains("No speedups"));
        assertTrue(Files.exists(dir.resolve(ReportWriter.PNG_FILE)) && Files.exists(dir.resolve(ReportWriter.SPEEDUP_PNG_FILE)));
        assertEquals(List.of(), ((Map<?, ?>) parse(Files.readString(dir.resolve(ReportWriter.JSON_FILE))))
                .get("measurements"));
    }

    /** The report as plain maps, lists, strings and numbers, read back by Jackson. */
    private static Object parse(String json) throws IOException {
        return dev.tensorbackend.network.Json.MAPPER.readValue(json, Object.class);
    }

    private static double num(Object v) {
        return ((Number) v).doubleValue();
    }

    @Test
    void theCommandLineRefusesAMissingOrBrokenResultFileInOneLine() throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8);
        Path missing = dir.resolve("nothing-here.json");
        assertEquals(2, ReportWriter.run(new String[] {dir.toString(), missing.toString()}, o, e));
        assertEquals("report: no JMH result file at " + missing, err.toString(java.nio.charset.StandardCharsets.UTF_8).strip());
        err.reset();
        Files.writeString(jmhJson, "[{\"benchmark\": ");
        assertEquals(2, ReportWriter.run(new String[] {dir.toString(), jmhJson.toString()}, o, e));
        assertEquals(1, err.toString(java.nio.charset.StandardCharsets.UTF_8).strip().lines().count(), err.toString());
        assertTrue(err.toString(java.nio.charset.StandardCharsets.UTF_8).startsWith("report: " + jmhJson + ": JMH JSON: "), err.toString());
        assertEquals("", out.toString(java.nio.charset.StandardCharsets.UTF_8));
    }
}

package dev.tensorbackend.bench.report;

import dev.tensorbackend.bench.workload.ConvCase;
import dev.tensorbackend.bench.workload.MatmulCase;
import dev.tensorbackend.bench.workload.SoftmaxCase;
import dev.tensorbackend.bench.workload.TrainStepCase;
import dev.tensorbackend.bench.workload.Work;
import java.util.List;
import java.util.Map;

/**
 * What each JMH benchmark method measures: turns a benchmark name and its parameters into
 * op, variant, backend, shape and work. The workload classes that build the benchmarks'
 * inputs also compute the work here, so the FLOP counts cannot drift from the inputs.
 */
final class BenchmarkCatalog {
    private static final String PACKAGE = "dev.tensorbackend.bench.";
    /**
     * The peers' classes (built under -Pbench, in src/pytorch/java and src/openblas/java) mirror
     * ours with a prefix and no backend parameter: the prefix names the backend of their column.
     */
    private static final Map<String, String> PEER_PREFIXES = Map.of(
            "Pytorch", Series.PYTORCH.backend(),
            "Openblas", Series.OPENBLAS.backend());

    private BenchmarkCatalog() {
    }

    /**
     * The measurements one JMH result stands for (one, or for the array copy one per softmax
     * table it is the ceiling of), or none for a benchmark this report does not know.
     */
    static List<Measurement> describe(String benchmark, Map<String, String> params, double seconds) {
        if (!benchmark.startsWith(PACKAGE)) {
            return List.of();
        }
        String name = benchmark.substring(PACKAGE.length());
        int dot = name.lastIndexOf('.');
        if (dot < 0) {
            return List.of();
        }
        String bench = name.substring(0, dot);
        String method = name.substring(dot + 1);
        String backend = params.getOrDefault("backend", "?");
        for (Map.Entry<String, String> peer : PEER_PREFIXES.entrySet()) {
            if (bench.startsWith(peer.getKey())) {
                bench = bench.substring(peer.getKey().length());
                backend = peer.getValue();
            }
        }
        String variant = method.endsWith("EndToEnd") || method.equals("endToEnd")
                ? Series.END_TO_END : Series.KERNEL_ONLY;
        switch (bench) {
            case "MatmulBench":
            case "CublasMatmulBench": {
                MatmulCase c = MatmulCase.parse(params.get("size"));
                String v = bench.startsWith("Cublas")
                        ? (variant.equals(Series.END_TO_END) ? Series.CUBLAS_END_TO_END : Series.CUBLAS_KERNEL_ONLY)
                        : variant;
                return List.of(new Measurement(c.op(), v, backend, c.label(), c.shapeText(), seconds, c.work()));
            }
            case "EjmlMatmulBench": {
                MatmulCase c = MatmulCase.parse(params.get("size"));
                String v = method.equals("multiThread") ? Series.MULTI_THREAD : Series.SINGLE_THREAD;
                return List.of(new Measurement(c.op(), v, "ejml", c.label(), c.shapeText(), seconds, c.work()));
            }
            case "Conv2dBench": {
                ConvCase c = ConvCase.parse(params.get("shape"));
                String op = method.startsWith("forward") ? ConvCase.FORWARD
                        : method.startsWith("backwardInput") ? ConvCase.BACKWARD_INPUT : ConvCase.BACKWARD_FILTER;
                return List.of(new Measurement(op, variant, backend, c.label(), c.shapeText(), seconds, c.work()));
            }
            case "SoftmaxBench": {
                SoftmaxCase c = SoftmaxCase.parse(params.get("size"));
                boolean forward = method.startsWith("forward");
                Work work = forward ? c.forwardWork() : c.backwardWork();
                String op = forward ? SoftmaxCase.FORWARD : SoftmaxCase.BACKWARD;
                return List.of(new Measurement(op, variant, backend, c.label(), c.shapeText(), seconds, work));
            }
            case "SoftmaxCopyBench": {
                // the bandwidth ceiling of both softmax passes: a plain copy of the same array
                SoftmaxCase c = SoftmaxCase.parse(params.get("size"));
                Work work = c.copyWork();
                return List.of(
                        new Measurement(SoftmaxCase.FORWARD, variant, Series.COPY.backend(), c.label(), c.shapeText(), seconds, work),
                        new Measurement(SoftmaxCase.BACKWARD, variant, Series.COPY.backend(), c.label(), c.shapeText(), seconds, work));
            }
            case "TrainStepBench": {
                TrainStepCase c = TrainStepCase.parse(params.get("config"));
                return List.of(new Measurement(TrainStepCase.OP, variant, backend, c.label(), c.shapeText(),
                        seconds, c.work()));
            }
            default:
                return List.of();
        }
    }
}

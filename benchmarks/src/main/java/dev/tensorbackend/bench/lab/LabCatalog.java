package dev.tensorbackend.bench.lab;

import dev.tensorbackend.api.Backend;
import dev.tensorbackend.api.Shape;
import dev.tensorbackend.api.Tensor;
import dev.tensorbackend.api.Tolerance;
import dev.tensorbackend.api.check.CrossCheck;
import dev.tensorbackend.bench.TrainStepBench;
import dev.tensorbackend.bench.workload.ConvCase;
import dev.tensorbackend.bench.workload.MatmulCase;
import dev.tensorbackend.bench.workload.SoftmaxCase;
import dev.tensorbackend.bench.workload.TrainStepCase;
import dev.tensorbackend.bench.workload.Work;
import dev.tensorbackend.bench.workload.Workloads;
import dev.tensorbackend.network.Network;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;

/** The kernel lab's cases: the benchmark suite's shapes, every op and pass. */
final class LabCatalog {
    static final List<String> MATMUL = List.of("64", "128", "256", "512", "1024", "2048", "4096",
            "qkt-8x64x32", "av-8x64x32", "qkt-32x512x64", "av-32x512x64");
    /** train-large: the single-channel layer of the large training step, whose time the step's gap may hide. */
    static final List<String> CONV = List.of("documented", "mid", "mid-b1", "large", "train-large");
    static final List<String> SOFTMAX = List.of("1024", "2048", "4096", "8192");
    static final List<String> TRAIN = List.of("documented", "small", "large");
    /** The sizes the quick benchmark leaves out, as in BenchPlan: seconds per call on the CPU. */
    private static final Set<String> SLOW = Set.of("matmul 2048", "matmul 4096", "attention-qkt qkt-32x512x64",
            "attention-av av-32x512x64", "conv large", "conv train-large", "softmax 8192", "train-step large");
    /** The training step's learning rate (small, so that repeated steps stay finite). */
    private static final float LEARNING_RATE = 1e-3f;

    private LabCatalog() {
    }

    static List<LabCase> all() {
        List<LabCase> cases = new ArrayList<>();
        for (String label : MATMUL) {
            cases.add(matmul(MatmulCase.parse(label)));
        }
        for (String label : CONV) {
            ConvCase c = ConvCase.parse(label);
            boolean quick = !SLOW.contains("conv " + label);
            Tolerance inputTaps = CrossCheck.reduction((long) c.filter().dim(0) * c.filter().dim(2) * c.filter().dim(3));
            Tolerance forwardTaps = CrossCheck.reduction((long) c.filter().dim(1) * c.filter().dim(2) * c.filter().dim(3));
            Tolerance filterTaps = CrossCheck.reduction((long) c.output().dim(0) * c.output().dim(2) * c.output().dim(3));
            cases.add(binary("conv2d-forward", label, c.work(), forwardTaps, quick, c.input(), c.filter(),
                    (b, t) -> b.conv2d(t[0], t[1], c.spec())));
            cases.add(binary("conv2d-backward-input", label, c.work(), inputTaps, quick, c.output(), c.filter(),
                    (b, t) -> b.conv2dBackwardInput(t[0], t[1], c.input(), c.spec())));
            cases.add(binary("conv2d-backward-filter", label, c.work(), filterTaps, quick, c.input(), c.output(),
                    (b, t) -> b.conv2dBackwardFilter(t[0], t[1], c.filter(), c.spec())));
        }
        for (String label : SOFTMAX) {
            SoftmaxCase c = SoftmaxCase.parse(label);
            boolean quick = !SLOW.contains("softmax " + label);
            cases.add(new LabCase("softmax-forward", label, c.forwardWork(), CrossCheck.SOFTMAX, quick,
                    b -> new OpOnInputs(b, (be, t) -> be.softmax(t[0]), input(b, c.shape(), 1))));
            cases.add(new LabCase("softmax-backward", label, c.backwardWork(), CrossCheck.SOFTMAX_BACKWARD, quick,
                    b -> {
                        Tensor x = input(b, c.shape(), 1);
                        Tensor y = b.softmax(x);
                        x.close();
                        return new OpOnInputs(b, (be, t) -> be.softmaxBackward(t[0], t[1]), y, input(b, c.shape(), 2));
                    }));
        }
        for (String label : TRAIN) {
            cases.add(trainStep(TrainStepCase.parse(label)));
        }
        return cases;
    }

    private static LabCase matmul(MatmulCase c) {
        String op = switch (c.op()) {
            case MatmulCase.SCORES -> "attention-qkt";
            case MatmulCase.OUTPUT -> "attention-av";
            default -> "matmul";
        };
        int k = c.a().dim(c.a().rank() - (c.transA() ? 2 : 1));
        return binary(op, c.label(), c.work(), CrossCheck.reduction(k), !SLOW.contains(op + " " + c.label()),
                c.a(), c.b(), (b, t) -> b.matmul(t[0], c.transA(), t[1], c.transB()));
    }

    private static LabCase binary(String op, String shape, Work work, Tolerance tol, boolean quick, Shape a, Shape b,
                                  BiFunction<Backend, Tensor[], Tensor> call) {
        return new LabCase(op, shape, work, tol, quick, be -> new OpOnInputs(be, call, input(be, a, 1), input(be, b, 2)));
    }

    private static Tensor input(Backend b, Shape shape, long seed) {
        return b.upload(shape, Workloads.random(shape, seed));
    }

    /** The training step: the cost before the first step is what is compared. */
    private static LabCase trainStep(TrainStepCase c) {
        return new LabCase("train-step", c.label(), c.work(), new Tolerance(1e-5, 1e-4), !SLOW.contains("train-step " + c.label()),
                b -> new Prepared(b, c));
    }

    /** An op on inputs uploaded once. */
    private record OpOnInputs(Backend backend, BiFunction<Backend, Tensor[], Tensor> call, Tensor... inputs)
            implements LabCase.Prepared {
        @Override
        public float[] check() {
            try (Tensor r = call.apply(backend, inputs)) {
                return r.toArray();
            }
        }

        @Override
        public void run() {
            call.apply(backend, inputs).close();
        }

        @Override
        public void close() {
            for (Tensor t : inputs) {
                t.close();
            }
        }
    }

    /** A network of the case's size with its batch on the backend. */
    private static final class Prepared implements LabCase.Prepared {
        private final Network net;
        private final Tensor x;
        private final Tensor y;

        Prepared(Backend b, TrainStepCase c) {
            net = c.isDocumented() ? Network.documented(b) : Network.random(b, TrainStepBench.networkConfig(c), 42);
            x = input(b, net.inputShape(), 1);
            y = input(b, net.targetShape(), 2);
        }

        @Override
        public float[] check() {
            return new float[] {net.cost(x, y)};
        }

        @Override
        public void run() {
            net.trainStep(x, y, LEARNING_RATE);
        }

        @Override
        public void close() {
            x.close();
            y.close();
            net.close();
        }
    }
}

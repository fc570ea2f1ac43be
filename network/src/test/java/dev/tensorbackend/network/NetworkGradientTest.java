package dev.tensorbackend.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorbackend.api.Backend;
import dev.tensorbackend.api.Backends;
import dev.tensorbackend.api.Tensor;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The network's backward pass against central differences of its forward cost, parameter
 * by parameter and element by element, at the documented size and at a scaled, batched
 * configuration.
 */
class NetworkGradientTest {
    private final Backend backend = Backends.create("cpu");

    @AfterEach
    void close() {
        backend.close();
    }

    private static float[] random(Random rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = rnd.nextFloat() * 2 - 1;
        }
        return a;
    }

    /** Every gradient of one step against (C(p + eps) - C(p - eps)) / 2 eps, evaluated before any update. */
    private void checkAgainstFiniteDifferences(Network net, Tensor x, Tensor y, float eps) {
        Map<String, float[]> analytic = new HashMap<>();
        // a learning rate of 0 records the gradients and leaves the parameters where they are
        try (net) {
            net.trainStep(x, y, 0f, (section, name, t) -> {
                if (section.equals(Step.GRADIENTS) && net.parameters().stream().anyMatch(p -> p.name().equals(name))
                        || name.equals("z")) {
                    analytic.put(name, t.toArray());
                }
            });
            assertTrue(java.util.stream.IntStream.range(0, analytic.get("z").length).anyMatch(i -> analytic.get("z")[i] > 0),
                    "test setup: every ReLU is off, so every gradient is trivially 0");
            for (float z : analytic.get("z")) {
                // within eps of the ReLU's kink a central difference straddles it and means nothing
                assertTrue(Math.abs(z) > 10 * eps, "test setup: pre-activation " + z + " too close to 0 for eps " + eps);
            }
            for (Parameter p : net.parameters()) {
                float[] g = analytic.get(p.name());
                assertEquals(p.value().size(), g.length, p.name());
                for (int i = 0; i < g.length; i++) {
                    double numeric = centralDifference(net, p, i, x, y, eps);
                    assertEquals(numeric, g[i], 3e-3 + 2e-2 * Math.abs(numeric),
                            p.name() + "[" + i + "]: analytic " + g[i] + " vs central difference " + numeric);
                }
            }
        }
    }

    private double centralDifference(Network net, Parameter p, int index, Tensor x, Tensor y, float eps) {
        float[] oneHot = new float[p.value().size()];
        oneHot[index] = 1;
        try (Tensor e = backend.upload(p.value().shape(), oneHot)) {
            backend.axpy(eps, e, p.value());
            double plus = net.cost(x, y);
            backend.axpy(-2 * eps, e, p.value());
            double minus = net.cost(x, y);
            backend.axpy(eps, e, p.value());
            return (plus - minus) / (2 * eps);
        }
    }

    @Test
    void documentedNetworkGradientsMatchFiniteDifferences() {
        Network net = Network.documented(backend);
        try (Tensor x = backend.upload(net.inputShape(), DocumentedPass.X);
             Tensor y = backend.upload(net.targetShape(), new float[] {DocumentedPass.Y})) {
            checkAgainstFiniteDifferences(net, x, y, 1e-3f);
        }
    }

    @Test
    void scaledBatchedNetworkGradientsMatchFiniteDifferences() {
        NetworkConfig config = NetworkConfig.scaled(3, 4, 3, 2, 2);
        Random rnd = new Random(42);
        Network net = Network.random(backend, config, 8);
        try (Tensor x = backend.upload(net.inputShape(), random(rnd, net.inputShape().size()));
             Tensor y = backend.upload(net.targetShape(), new float[] {2, 3})) {
            checkAgainstFiniteDifferences(net, x, y, 1e-3f);
        }
    }

    @Test
    void batchCostIsTheMeanOfTheExamplesCosts() {
        NetworkConfig batched = NetworkConfig.scaled(3, 3, 2, 1, 3), single = NetworkConfig.scaled(3, 3, 2, 1, 1);
        Random rnd = new Random(1);
        float[] xs = random(rnd, batched.batch() * batched.inputHeight() * batched.inputWidth());
        float[] ys = {0.5f, 1.5f, 2.5f};
        double mean = 0;
        try (Network one = Network.random(backend, single, 3)) {
            int per = xs.length / 3;
            for (int b = 0; b < 3; b++) {
                try (Tensor x = backend.upload(one.inputShape(), java.util.Arrays.copyOfRange(xs, b * per, (b + 1) * per));
                     Tensor y = backend.upload(one.targetShape(), new float[] {ys[b]})) {
                    mean += one.cost(x, y) / 3;
                }
            }
        }
        try (Network all = Network.random(backend, batched, 3);
             Tensor x = backend.upload(all.inputShape(), xs);
             Tensor y = backend.upload(all.targetShape(), ys)) {
            assertEquals(mean, all.cost(x, y), 1e-5 * (1 + mean));
        }
    }

    @Test
    void trainingLowersTheCostOfAScaledNetwork() {
        NetworkConfig config = NetworkConfig.scaled(4, 4, 3, 1, 4);
        Random rnd = new Random(5);
        try (Network net = Network.random(backend, config, 11);
             Tensor x = backend.upload(net.inputShape(), random(rnd, net.inputShape().size()));
             Tensor y = backend.upload(net.targetShape(), new float[] {0.2f, 0.4f, 0.6f, 0.8f})) {
            float first = net.trainStep(x, y, 0.05f);
            float last = first;
            for (int i = 0; i < 30; i++) {
                last = net.trainStep(x, y, 0.05f);
            }
            assertTrue(last < first * 0.5, "cost went from " + first + " to " + last);
        }
    }

    @Test
    void configurationsThatDoNotFitAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new NetworkConfig(4, 4, 2, 2, 3, 2, 1));
        assertTrue(e.getMessage().contains("2x2, not tokens x modelWidth = 3x2"), e.getMessage());
        NetworkConfig c = NetworkConfig.scaled(16, 8, 3, 2, 4);
        assertEquals(33, c.inputHeight());
        assertEquals(17, c.inputWidth());
        assertEquals(NetworkConfig.documented(), NetworkConfig.scaled(2, 2, 2, 2, 1));
    }

    @Test
    void inputOfTheWrongShapeIsRejected() {
        try (Network net = Network.documented(backend);
             Tensor x = backend.upload(dev.tensorbackend.api.Shape.of(4, 4), DocumentedPass.X);
             Tensor y = backend.upload(net.targetShape(), new float[] {1})) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.trainStep(x, y, 0.1f));
            assertTrue(e.getMessage().contains("[4, 4], expected [1, 1, 4, 4]"), e.getMessage());
        }
    }
}

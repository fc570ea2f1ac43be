package dev.tensorbackend.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tensorbackend.bench.workload.TrainStepCase;
import dev.tensorbackend.network.NetworkConfig;
import org.junit.jupiter.api.Test;

/** The report's FLOP count for a training step describes the network the benchmark builds. */
class TrainStepBenchTest {

    @Test
    void everyCaseBuildsTheNetworkItsWorkIsCountedFor() {
        for (String label : BenchPlan.TRAIN_FULL) {
            TrainStepCase c = TrainStepCase.parse(label);
            NetworkConfig n = TrainStepBench.networkConfig(c);
            assertEquals(c.tokens(), n.tokens(), label);
            assertEquals(c.modelWidth(), n.modelWidth(), label);
            assertEquals(c.filterSize(), n.filterSize(), label);
            assertEquals(c.stride(), n.stride(), label);
            assertEquals(c.batch(), n.batch(), label);
        }
        assertEquals(NetworkConfig.documented(), TrainStepBench.networkConfig(TrainStepCase.parse("documented")));
    }
}

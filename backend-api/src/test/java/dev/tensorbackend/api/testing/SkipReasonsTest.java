package dev.tensorbackend.api.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

class SkipReasonsTest {
    /** Run only by the test below (Surefire leaves nested classes alone). */
    static class Fixture {
        @Test
        void noGpu() {
            Assumptions.assumeTrue(false, "CUDA is unusable here: libcuda.so.1 not found");
        }

        @Test
        void noGpuEither() {
            Assumptions.assumeTrue(false, "CUDA is unusable here: libcuda.so.1 not found");
        }

        @Test
        @Disabled("needs g++")
        void noCompiler() {
        }

        @Test
        void runs() {
        }
    }

    @Test
    void eachReasonIsOneLineWithItsCountAfterTheClass() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        // without auto-registration: the SkipReasons the services file registers would print the fixture's skips too
        LauncherFactory.create(LauncherConfig.builder().enableTestExecutionListenerAutoRegistration(false).build()).execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(Fixture.class)).build(),
                new SkipReasons(new PrintStream(bytes, true, StandardCharsets.UTF_8)));
        assertEquals("""
                [skipped] SkipReasonsTest$Fixture: 2 tests: CUDA is unusable here: libcuda.so.1 not found
                [skipped] SkipReasonsTest$Fixture: 1 test: needs g++
                """, bytes.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n"));
    }
}

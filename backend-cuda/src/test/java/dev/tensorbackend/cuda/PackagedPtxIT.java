package dev.tensorbackend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import org.junit.jupiter.api.Test;

/**
 * After packaging: the jar holds build.properties, the provider registration and one fatbin per
 * .cu file with SASS for sm_80 and sm_90 and PTX for compute_75, as build.properties records.
 */
class PackagedPtxIT {

    @Test
    void theJarHoldsOneFatbinPerCuFile() throws IOException {
        Path jar = Path.of(System.getProperty("packaged.jar", "target/backend-cuda.jar"));
        assertTrue(Files.isRegularFile(jar), "no packaged jar at " + jar);
        try (JarFile j = new JarFile(jar.toFile())) {
            assertNotNull(j.getEntry("META-INF/services/dev.tensorbackend.api.BackendProvider"));
            JarEntry build = j.getJarEntry("dev/tensorbackend/cuda/ptx/build.properties");
            assertNotNull(build, "build.properties missing: the kernel build step did not run");
            Properties p = new Properties();
            try (InputStream in = j.getInputStream(build)) {
                p.load(in);
            }
            assumeTrue(Boolean.parseBoolean(p.getProperty("kernels.built")),
                    () -> "kernels not built in this build: " + p.getProperty("reason"));
            assertEquals("sm_80,sm_90", p.getProperty("sass"));
            assertEquals("compute_75", p.getProperty("ptx"));
            for (String module : CudaSources.modules()) {
                JarEntry e = j.getJarEntry("dev/tensorbackend/cuda/ptx/" + module + ".fatbin");
                assertNotNull(e, module + ".cu has no fatbin in " + jar);
                byte[] bytes;
                try (InputStream in = j.getInputStream(e)) {
                    bytes = in.readAllBytes();
                }
                assertEquals(List.of("sm_80", "sm_90", "compute_75"), Fatbins.entries(bytes), module + ".fatbin");
                assertTrue(j.getJarEntry("dev/tensorbackend/cuda/ptx/" + module + ".ptx") == null,
                        "no stale PTX beside the fatbin");
            }
        }
    }
}

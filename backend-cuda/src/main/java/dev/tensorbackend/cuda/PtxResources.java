package dev.tensorbackend.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The PTX the build put into the jar ({@code dev/tensorbackend/cuda/ptx/<module>.ptx}, one per
 * .cu file) and {@code build.properties} beside it, which says whether nvcc ran and which
 * CUDA release it was.
 */
final class PtxResources {
    static final String DIRECTORY = "/dev/tensorbackend/cuda/ptx/";
    /** One module per .cu file; each has the launcher class of the same stem. */
    static final List<String> MODULES = List.of(MatmulLauncher.MODULE, Conv2dLauncher.MODULE,
            SoftmaxLauncher.MODULE, ElementwiseLauncher.MODULE);

    private final Map<String, String> ptx;
    private final String notBuiltReason;
    private final int toolkitVersion;
    private final String toolkitRelease;

    private PtxResources(Map<String, String> ptx, String notBuiltReason, String toolkitRelease) {
        this.ptx = ptx;
        this.notBuiltReason = notBuiltReason;
        this.toolkitRelease = toolkitRelease;
        this.toolkitVersion = toolkitRelease == null ? 0 : versionNumber(toolkitRelease);
    }

    /** What the class path holds. */
    static PtxResources load() {
        Properties build = new Properties();
        try (InputStream in = PtxResources.class.getResourceAsStream(DIRECTORY + "build.properties")) {
            if (in == null) {
                return notBuilt("no PTX in the jar (backend-cuda was built without its kernel step)");
            }
            build.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!Boolean.parseBoolean(build.getProperty("kernels.built"))) {
            return notBuilt(build.getProperty("reason", "the build did not compile them"));
        }
        Map<String, String> ptx = new LinkedHashMap<>();
        for (String module : MODULES) {
            String text = read(DIRECTORY + module + ".ptx");
            if (text == null) {
                return notBuilt(module + ".ptx is missing from the jar");
            }
            ptx.put(module, text);
        }
        return new PtxResources(ptx, null, build.getProperty("nvcc.release"));
    }

    static PtxResources notBuilt(String reason) {
        return new PtxResources(Map.of(), reason, null);
    }

    /** For tests: kernels as if built by CUDA {@code release} ("13.0"). */
    static PtxResources builtBy(String release, Map<String, String> ptx) {
        return new PtxResources(Map.copyOf(ptx), null, release);
    }

    private static String read(String resource) {
        try (InputStream in = PtxResources.class.getResourceAsStream(resource)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** "13.0" as the driver API counts versions: 1000 * major + 10 * minor (13000). */
    static int versionNumber(String release) {
        String[] parts = release.trim().split("\\.");
        int major = Integer.parseInt(parts[0]);
        int minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
        return 1000 * major + 10 * minor;
    }

    /** "12.4" from 12040. */
    static String versionName(int version) {
        return version / 1000 + "." + (version % 1000) / 10;
    }

    boolean built() {
        return notBuiltReason == null;
    }

    String notBuiltReason() {
        return notBuiltReason;
    }

    /** The driver-API version number of the toolkit whose nvcc wrote the PTX. */
    int toolkitVersion() {
        return toolkitVersion;
    }

    String toolkitRelease() {
        return toolkitRelease;
    }

    String ptx(String module) {
        String text = ptx.get(module);
        if (text == null) {
            throw new IllegalStateException("no PTX for module " + module);
        }
        return text;
    }

    /** The PTX as cuModuleLoadData wants it: NUL-terminated bytes. */
    byte[] image(String module) {
        return (ptx(module) + '\0').getBytes(StandardCharsets.US_ASCII);
    }
}

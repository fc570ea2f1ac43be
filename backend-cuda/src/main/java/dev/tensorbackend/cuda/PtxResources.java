package dev.tensorbackend.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The kernels the build put into the jar: one fatbin per .cu file
 * ({@code dev/tensorbackend/cuda/ptx/<module>.fatbin}, SASS for some sm_XY and PTX for one
 * compute_XY) and {@code build.properties} beside it, which says whether nvcc ran, which CUDA
 * release it was and which architectures the fatbins hold. (The directory keeps its old name,
 * from when it held PTX text.)
 */
final class PtxResources {
    static final String DIRECTORY = "/dev/tensorbackend/cuda/ptx/";
    /** One module per .cu file; each has the launcher class of the same stem. */
    static final List<String> MODULES = List.of(MatmulLauncher.MODULE, Conv2dLauncher.MODULE,
            SoftmaxLauncher.MODULE, ElementwiseLauncher.MODULE);

    private final Map<String, byte[]> fatbins;
    private final String notBuiltReason;
    private final int toolkitVersion;
    private final String toolkitRelease;
    private final List<Integer> sassArchs;
    private final int ptxArch;

    private PtxResources(Map<String, byte[]> fatbins, String notBuiltReason, String toolkitRelease,
                         List<Integer> sassArchs, int ptxArch) {
        this.fatbins = fatbins;
        this.notBuiltReason = notBuiltReason;
        this.toolkitRelease = toolkitRelease;
        this.toolkitVersion = toolkitRelease == null ? 0 : versionNumber(toolkitRelease);
        this.sassArchs = List.copyOf(sassArchs);
        this.ptxArch = ptxArch;
    }

    /** What the class path holds. */
    static PtxResources load() {
        Properties build = new Properties();
        try (InputStream in = PtxResources.class.getResourceAsStream(DIRECTORY + "build.properties")) {
            if (in == null) {
                return notBuilt("no kernels in the jar (backend-cuda was built without its kernel step)");
            }
            build.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!Boolean.parseBoolean(build.getProperty("kernels.built"))) {
            return notBuilt(build.getProperty("reason", "the build did not compile them"));
        }
        Map<String, byte[]> fatbins = new LinkedHashMap<>();
        for (String module : MODULES) {
            byte[] bytes = read(DIRECTORY + module + ".fatbin");
            if (bytes == null) {
                return notBuilt(module + ".fatbin is missing from the jar");
            }
            fatbins.put(module, bytes);
        }
        return new PtxResources(fatbins, null, build.getProperty("nvcc.release"),
                archs(build.getProperty("sass", ""), "sm_"), archs(build.getProperty("ptx", ""), "compute_").stream()
                        .findFirst().orElse(0));
    }

    static PtxResources notBuilt(String reason) {
        return new PtxResources(Map.of(), reason, null, List.of(), 0);
    }

    /** For tests: kernels as if built by CUDA {@code release} ("13.0") with SASS for {@code sass} (80, 90) and PTX for {@code ptx}. */
    static PtxResources builtBy(String release, List<Integer> sass, int ptx) {
        return new PtxResources(Map.of(), null, release, sass, ptx);
    }

    /** "sm_80,sm_90" with prefix "sm_" as [80, 90]. */
    static List<Integer> archs(String list, String prefix) {
        List<Integer> archs = new ArrayList<>();
        for (String a : list.split(",")) {
            String t = a.trim();
            if (t.startsWith(prefix)) {
                archs.add(Integer.parseInt(t.substring(prefix.length())));
            }
        }
        return archs;
    }

    private static byte[] read(String resource) {
        try (InputStream in = PtxResources.class.getResourceAsStream(resource)) {
            return in == null ? null : in.readAllBytes();
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

    /** The driver-API version number of the toolkit whose nvcc wrote the kernels. */
    int toolkitVersion() {
        return toolkitVersion;
    }

    String toolkitRelease() {
        return toolkitRelease;
    }

    /** The XY of every sm_XY the fatbins hold SASS for, as build.properties records them. */
    List<Integer> sassArchs() {
        return sassArchs;
    }

    /** The XY of the compute_XY the fatbins hold PTX for. */
    int ptxArch() {
        return ptxArch;
    }

    /** "sm_80, sm_90 and PTX compute_75": what the fatbins hold. */
    String contents() {
        StringBuilder s = new StringBuilder();
        for (int a : sassArchs) {
            s.append(s.length() == 0 ? "SASS " : ", ").append("sm_").append(a);
        }
        return s + (s.length() == 0 ? "" : " and ") + "PTX compute_" + ptxArch;
    }

    /**
     * The image of the fatbin a device of compute capability {@code cc} (10 * major + minor)
     * runs, inferred from the architectures recorded at build time and the driver's documented
     * choice: SASS for sm_XZ runs on any X.Y with Y >= Z, and the driver takes the newest such
     * SASS over JIT-compiling PTX; failing that it JIT-compiles PTX for compute_VW when VW <= cc;
     * null when neither fits (a device older than the PTX).
     */
    KernelImage imageFor(int cc) {
        return KernelImage.choose(cc, sassArchs, ptxArch);
    }

    /** The fatbin as cuModuleLoadData takes it. */
    byte[] image(String module) {
        byte[] bytes = fatbins.get(module);
        if (bytes == null) {
            throw new IllegalStateException("no fatbin for module " + module);
        }
        return bytes;
    }

    /** Which image of a fatbin the driver runs: SASS for sm_XY as is, or PTX for compute_XY compiled at load. */
    record KernelImage(boolean sass, int arch) {
        static KernelImage choose(int cc, List<Integer> sassArchs, int ptxArch) {
            int best = -1;
            for (int a : sassArchs) {
                if (a / 10 == cc / 10 && a % 10 <= cc % 10 && a > best) {
                    best = a;
                }
            }
            if (best >= 0) {
                return new KernelImage(true, best);
            }
            return ptxArch > 0 && ptxArch <= cc ? new KernelImage(false, ptxArch) : null;
        }

        @Override
        public String toString() {
            return sass ? "SASS sm_" + arch : "PTX JIT from compute_" + arch;
        }
    }
}

package dev.tensorbackend.cuda;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads backend-cuda/src/main/cuda: the .cu files, the extern "C" kernels each declares with
 * their parameters, and #define constants, so tests can hold the Java launchers to the CUDA
 * source without a GPU.
 */
final class CudaSources {
    private static final Pattern KERNEL = Pattern.compile(
            "extern\\s+\"C\"\\s+__global__\\s+void\\s+(?:__launch_bounds__\\s*\\([^)]*\\)\\s*)?(\\w+)\\s*\\(([^)]*)\\)");
    private static final Pattern DEFINE = Pattern.compile("(?m)^#define\\s+(\\w+)\\s+(\\d+)\\s*$");

    /** One C parameter: its name and how the launcher must pack it. */
    record Param(String name, KernelArgs.Type type) {
    }

    private CudaSources() {
    }

    /** Maven passes the folder; run from the project root (the device bundle) or the module, it is found too. */
    static Path directory() {
        String dir = System.getProperty("cuda.sources");
        if (dir != null) {
            return Path.of(dir);
        }
        Path module = Path.of("src/main/cuda");
        return Files.isDirectory(module) ? module : Path.of("backend-cuda/src/main/cuda");
    }

    /** The stems of the .cu files ("matmul", ...). */
    static TreeSet<String> modules() {
        try (Stream<Path> files = Files.list(directory())) {
            TreeSet<String> stems = new TreeSet<>();
            files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cu"))
                    .forEach(n -> stems.add(n.substring(0, n.length() - 3)));
            return stems;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String source(String module) {
        try {
            return Files.readString(directory().resolve(module + ".cu"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kernel name to its parameters, in declaration order. */
    static Map<String, List<Param>> kernels(String module) {
        Map<String, List<Param>> kernels = new LinkedHashMap<>();
        Matcher m = KERNEL.matcher(stripComments(source(module)));
        while (m.find()) {
            List<Param> params = new ArrayList<>();
            for (String p : m.group(2).split(",")) {
                String decl = p.trim().replaceAll("\\s+", " ");
                String name = decl.substring(decl.lastIndexOf(' ') + 1);
                String type = decl.substring(0, decl.lastIndexOf(' '));
                params.add(new Param(name, type.contains("*") ? KernelArgs.Type.POINTER
                        : type.endsWith("float") ? KernelArgs.Type.FLOAT
                        : type.endsWith("int") ? KernelArgs.Type.INT : null));
            }
            kernels.put(m.group(1), params);
        }
        return kernels;
    }

    /** The source without comments. */
    static String code(String module) {
        return stripComments(source(module));
    }

    static int define(String module, String name) {
        Matcher m = DEFINE.matcher(source(module));
        while (m.find()) {
            if (m.group(1).equals(name)) {
                return Integer.parseInt(m.group(2));
            }
        }
        throw new IllegalArgumentException("no #define " + name + " in " + module + ".cu");
    }

    private static String stripComments(String s) {
        return s.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\\n]*", " ");
    }
}

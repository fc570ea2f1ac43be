package dev.tensorbackend.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The consumer example of README.md (examples/consumer): README shows Consumer.java as it is
 * in the repository, and the file compiles against the backends and runs, printing the right
 * values. Compiled here with the JDK's compiler against this module's test class path, which
 * holds what the example's POM asks for (backend-api, and the backends at run time).
 */
class ConsumerExampleTest {
    private static final Path SOURCE = Path.of("examples", "consumer", "src", "main", "java", "example", "Consumer.java");

    /** The repository root: this module's parent when tests run in the module, else the working directory. */
    private static Path root() {
        return Files.exists(Path.of("..").resolve(SOURCE)) ? Path.of("..") : Path.of(".");
    }

    @Test
    void readmeShowsTheExampleAsItIs() throws IOException {
        String readme = Files.readString(root().resolve("README.md"));
        String source = Files.readString(root().resolve(SOURCE));
        assertTrue(readme.contains("```java\n" + source + "```"), "README.md must show " + SOURCE + " verbatim");
        String pom = Files.readString(root().resolve("examples/consumer/pom.xml"));
        for (String module : new String[] {"backend-api", "backend-cpu", "backend-cuda"}) {
            assertTrue(pom.contains("<artifactId>" + module + "</artifactId>"), module + " in the example's POM");
        }
    }

    @Test
    void theExampleCompilesAndPrintsTheProductAndTheSoftmax(@TempDir Path classes) throws Exception {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        String classPath = System.getProperty("java.class.path");
        int status = javac.run(null, null, null, "-d", classes.toString(), "-cp", classPath, "--release", "17",
                root().resolve(SOURCE).toString());
        assertEquals(0, status, "javac on " + SOURCE);

        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dtensor.backend=cpu", "-cp", classes + java.io.File.pathSeparator + classPath, "example.Consumer"));
        Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the example finished");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), err);
        List<String> lines = out.lines().toList();
        // [1 2 3; 4 5 6] times its transpose: 1+4+9, 4+10+18, 16+25+36
        assertEquals("cpu: a a^T = [14.0, 32.0, 32.0, 77.0]", lines.get(0), out);
        double[] softmax = Arrays.stream(lines.get(1).replaceAll("softmax rows: \\[|\\]", "").split(", "))
                .mapToDouble(Double::parseDouble).toArray();
        assertEquals(Math.exp(14 - 32) / (1 + Math.exp(14 - 32)), softmax[0], 1e-12);
        assertEquals(1.0, softmax[1], 1e-7);
        assertEquals(Math.exp(32 - 77), softmax[2], 1e-25);
        assertEquals(1.0, softmax[3], 1e-7);
    }
}

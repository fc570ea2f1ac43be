package dev.tensorbackend.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorbackend.api.Backend;
import dev.tensorbackend.api.Backends;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * Used as a library, the backends report auto's choice through System.Logger (here the JDK's
 * default, java.util.logging), so the application's logging decides where it goes; the CLI
 * prints the same line plainly on stderr.
 */
class SelectionLogTest {
    @Test
    void autoSelectionIsOneInfoRecordOfTheBackendsLogger() {
        Logger jul = Logger.getLogger("dev.tensorbackend.api.Backends");
        List<LogRecord> records = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                records.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        jul.addHandler(capture);
        jul.setUseParentHandlers(false);
        try (Backend backend = Backends.create("auto")) {
            assertEquals(1, records.size(), records.toString());
            assertEquals(Level.INFO, records.get(0).getLevel());
            assertTrue(records.get(0).getMessage().startsWith("tensor.backend=auto: using " + backend.name()),
                    records.get(0).getMessage());
        } finally {
            jul.removeHandler(capture);
            jul.setUseParentHandlers(true);
        }
    }

    @Test
    void theCommandLineStillPrintsTheLineOnStderr() {
        String before = System.getProperty(Backends.PROPERTY);
        System.setProperty(Backends.PROPERTY, "auto");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            assertEquals(ExitStatus.OK, Main.run(new String[] {"--steps", "1"},
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8)));
        } finally {
            if (before == null) {
                System.clearProperty(Backends.PROPERTY);
            } else {
                System.setProperty(Backends.PROPERTY, before);
            }
        }
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("tensor.backend=auto: using "), err.toString(StandardCharsets.UTF_8));
    }
}

package dev.tensorbackend.api;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Chooses a backend: the system property {@code tensor.backend}, else the environment
 * variable {@code TENSOR_BACKEND}, else {@code auto}. {@code auto} takes the usable
 * provider of highest priority and says which it took and why it passed over the others:
 * through {@link System.Logger} (logger {@code dev.tensorbackend.api.Backends}, level INFO) from
 * {@link #create()} and {@link #create(String)}, so that an application routes or silences it with
 * its own logging; on the given stream from the overloads that take one (the command line passes
 * stderr). A named backend that is unusable fails with its reason; an unknown name
 * fails and lists the known ones.
 *
 * <p>Shadow execution: the system property {@code tensor.shadow}, else the environment
 * variable {@code TENSOR_SHADOW}, names a second backend; {@link #create()} then returns a
 * {@link ShadowBackend} that runs every op on both and fails at the first divergence, and
 * says so once, the same way. Only {@link #create()} (the program's own backend) is shadowed:
 * {@link #create(String)} gives the named backend alone.
 */
public final class Backends {
    public static final String PROPERTY = "tensor.backend";
    public static final String ENVIRONMENT = "TENSOR_BACKEND";
    public static final String AUTO = "auto";
    public static final String SHADOW_PROPERTY = "tensor.shadow";
    public static final String SHADOW_ENVIRONMENT = "TENSOR_SHADOW";

    private static final System.Logger LOG = System.getLogger(Backends.class.getName());

    private Backends() {
    }

    /** How a library reports the selection: one INFO record; the application's logging decides where it goes. */
    private static void log(String line) {
        LOG.log(System.Logger.Level.INFO, line);
    }

    /**
     * The backend the system property or environment names, else {@code auto}; shadowed by
     * the backend {@link #shadowName()} names, if any.
     */
    public static Backend create() {
        return create(selectedName(), shadowName(), providers(), Backends::log);
    }

    /** The shadow backend's name from {@code tensor.shadow}, else {@code TENSOR_SHADOW}; null when neither is set. */
    public static String shadowName() {
        String name = System.getProperty(SHADOW_PROPERTY);
        if (name == null || name.isBlank()) {
            name = System.getenv(SHADOW_ENVIRONMENT);
        }
        return name == null || name.isBlank() ? null : name.trim().toLowerCase(Locale.ROOT);
    }

    /**
     * {@code name}, shadowed by {@code shadow} unless that is null; says on {@code log} that
     * shadowing is on. An unusable or unknown shadow fails like an unusable backend.
     */
    public static Backend create(String name, String shadow, List<BackendProvider> providers, PrintStream log) {
        return create(name, shadow, providers, (Consumer<String>) log::println);
    }

    private static Backend create(String name, String shadow, List<BackendProvider> providers, Consumer<String> log) {
        Backend primary = create(name, providers, log);
        if (shadow == null) {
            return primary;
        }
        Backend second;
        try {
            second = create(shadow, providers, log);
        } catch (BackendException e) {
            primary.close();
            throw new BackendException(SHADOW_PROPERTY + "=" + shadow + ": " + e.getMessage(), e);
        }
        log.accept(SHADOW_PROPERTY + "=" + shadow + ": shadowing is on: every op of " + primary.name()
                + " also runs on " + second.name() + " on copies of its inputs, and the first result that differs"
                + " beyond the cross-check's tolerance stops the program (slow; never time it)");
        return new ShadowBackend(primary, second);
    }

    /** The name in the system property, else the environment variable, else {@code auto}. */
    public static String selectedName() {
        String name = System.getProperty(PROPERTY);
        if (name == null || name.isBlank()) {
            name = System.getenv(ENVIRONMENT);
        }
        return name == null || name.isBlank() ? AUTO : name.trim().toLowerCase(Locale.ROOT);
    }

    public static Backend create(String name) {
        return create(name, providers(), Backends::log);
    }

    /** Selection over an explicit provider list; {@code auto}'s choice is reported on {@code log}. */
    public static Backend create(String name, List<BackendProvider> providers, PrintStream log) {
        return create(name, providers, (Consumer<String>) log::println);
    }

    private static Backend create(String name, List<BackendProvider> providers, Consumer<String> log) {
        String wanted = name == null ? AUTO : name.trim().toLowerCase(Locale.ROOT);
        if (wanted.equals(AUTO)) {
            return auto(providers, log);
        }
        BackendProvider p = provider(wanted, providers);
        BackendProvider.Availability a = p.availability();
        if (!a.usable()) {
            throw new BackendException("backend '" + wanted + "' is not usable: " + a.reason());
        }
        return p.create();
    }

    /** The provider of that name; fails listing the known names when there is none. */
    public static BackendProvider provider(String name, List<BackendProvider> providers) {
        for (BackendProvider p : providers) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        throw new BackendException("unknown backend '" + name + "'; known: " + knownNames(providers));
    }

    /** Every provider on the class path, most preferred first. */
    public static List<BackendProvider> providers() {
        List<BackendProvider> list = new ArrayList<>();
        ServiceLoader.load(BackendProvider.class).forEach(list::add);
        list.sort(Comparator.comparingInt(BackendProvider::priority).reversed());
        return list;
    }

    private static Backend auto(List<BackendProvider> providers, Consumer<String> log) {
        List<String> passedOver = new ArrayList<>();
        List<BackendProvider> sorted = new ArrayList<>(providers);
        sorted.sort(Comparator.comparingInt(BackendProvider::priority).reversed());
        for (BackendProvider p : sorted) {
            BackendProvider.Availability a = p.availability();
            if (a.usable()) {
                log.accept("tensor.backend=auto: using " + p.name()
                        + (a.reason().isEmpty() ? "" : ", " + a.reason())
                        + (passedOver.isEmpty() ? "" : " (" + String.join("; ", passedOver) + ")"));
                return p.create();
            }
            passedOver.add(p.name() + " unusable: " + a.reason());
        }
        throw new BackendException("tensor.backend=auto: no usable backend; "
                + (sorted.isEmpty() ? "none on the class path" : String.join("; ", passedOver)));
    }

    private static String knownNames(List<BackendProvider> providers) {
        List<String> names = providers.stream().map(BackendProvider::name).collect(Collectors.toList());
        names.add(0, AUTO);
        return String.join(", ", names);
    }
}

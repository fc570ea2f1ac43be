package dev.tensorbackend.api;

/**
 * A backend implementation, found at run time through {@link java.util.ServiceLoader}
 * (listed in {@code META-INF/services/dev.tensorbackend.api.BackendProvider}).
 */
public interface BackendProvider {

    /** The name users select it by. */
    String name();

    /** Higher is preferred by {@code auto} among the usable providers. */
    int priority();

    /** Whether the backend can run on this machine and, if not, why. Cheap to call twice. */
    Availability availability();

    /** A new backend; fails with {@link BackendException} carrying the reason when unusable. */
    Backend create();

    /**
     * Usable, or not with a one-line reason a user can act on. A usable backend may carry a
     * one-line note in {@code reason} instead (CUDA: which kernel image the driver runs); it is
     * empty otherwise.
     */
    record Availability(boolean usable, String reason) {
        public static Availability yes() {
            return new Availability(true, "");
        }

        /** Usable, with a one-line note for diagnostics. */
        public static Availability yes(String note) {
            return new Availability(true, note);
        }

        public static Availability no(String reason) {
            return new Availability(false, reason);
        }
    }
}

package dev.tensorbackend.bench;

/**
 * Whether an established library can be measured beside our CPU backend (PyTorch, OpenBLAS):
 * what it is when it loads, or why it cannot run; exactly one is set. The report's notes say
 * one or the other, never nothing.
 */
record PeerStatus(String description, String whyNot) {

    static PeerStatus measured(String description) {
        return new PeerStatus(description, null);
    }

    static PeerStatus notRun(String whyNot) {
        return new PeerStatus(null, whyNot);
    }

    boolean usable() {
        return description != null;
    }

    /** The exception's first message line from its root cause, with the type where it has no message. */
    static String oneLine(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage();
        String text = m == null || m.isBlank() ? root.getClass().getSimpleName() : m;
        int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl);
    }
}

package dev.tensorbackend.network;

/**
 * The one table of exit statuses, shared by the network command line and the benchmarks
 * (which depend on this module) so that a script reads every command of the project alike.
 * README.md documents the same table.
 */
public final class ExitStatus {
    /** Everything ran and every check passed. */
    public static final int OK = 0;
    /** It ran, but a check failed (a crosscheck value, a benchmark that did not complete). */
    public static final int CHECK_FAILED = 1;
    /** The command line was wrong: an unknown option, a value out of range, a refused combination. */
    public static final int USAGE = 2;
    /** The backend asked for is unknown or cannot run here; the reason is one line on stderr. */
    public static final int BACKEND_UNUSABLE = 3;

    private ExitStatus() {
    }
}

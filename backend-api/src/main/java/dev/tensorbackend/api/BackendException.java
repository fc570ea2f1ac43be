package dev.tensorbackend.api;

/**
 * Every error a backend reports: bad shapes or arguments, a closed tensor, tensors of two
 * backends mixed, an unusable or unknown backend. The message names the op and the values
 * at fault.
 */
public class BackendException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BackendException(String message) {
        super(message);
    }

    public BackendException(String message, Throwable cause) {
        super(message, cause);
    }
}

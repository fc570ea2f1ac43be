package dev.tensorbackend.api.check;

import dev.tensorbackend.api.Tolerance;

/**
 * One op on one set of shapes: {@code method} names the {@link dev.tensorbackend.api.Backend}
 * method it checks ({@code name/parameterCount}, e.g. {@code matmul/4}), {@code body} runs it
 * on a backend and returns the downloaded result, and {@code tolerance} is how far a
 * candidate may stray from the reference on each element.
 */
public record OpCase(String method, String description, Tolerance tolerance, long seed, Body body) {

    /** Runs the op on {@code in.backend()} with inputs drawn from {@code in}; returns the result. */
    @FunctionalInterface
    public interface Body {
        float[] run(OpInputs in);
    }

    /** The op's name without the parameter count ("matmul"). */
    public String op() {
        return method.substring(0, method.indexOf('/'));
    }

    @Override
    public String toString() {
        return method + " " + description;
    }
}

package dev.tensorbackend.cuda;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

import dev.tensorbackend.api.BackendException;

/**
 * How the kernel-choice properties ({@value Conv2dLauncher#KERNEL_PROPERTY},
 * {@value SoftmaxLauncher#KERNEL_PROPERTY}) are spelled and read: an enum constant in lower
 * case, any case accepted, nothing meaning the default, anything else refused with the list.
 */
final class KernelChoices {
    private KernelChoices() {
    }

    /** The property's spelling of a choice. */
    static String label(Enum<?> choice) {
        return choice.name().toLowerCase(Locale.ROOT);
    }

    /** The choice {@code value} names, {@code fallback} for no value; else an error naming the property and the choices. */
    static <E extends Enum<E>> E parse(Class<E> choices, E fallback, String value, String property, String what) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        String wanted = value.trim().toLowerCase(Locale.ROOT);
        for (E choice : choices.getEnumConstants()) {
            if (label(choice).equals(wanted)) {
                return choice;
            }
        }
        throw new BackendException(property + ": unknown " + what + " kernel choice '" + value + "'; use "
                + Arrays.stream(choices.getEnumConstants()).map(KernelChoices::label).collect(Collectors.joining(", ")));
    }
}

package dev.tensorbackend.network;

import dev.tensorbackend.api.Shape;
import java.util.List;

/**
 * Every named value of one documented pass, in the order docs/documented-pass.md lists them:
 * section "inputs" (what the pass starts from), then, downloaded from the backend, "forward",
 * "gradients" and "updated".
 * Shapes are shown without their size-1 axes (a 1x1x2x2 filter is a 2x2 matrix, a 1x1
 * output a scalar), as the hand-worked solution writes them.
 */
public record PassRecord(String backend, List<Entry> entries) {

    public record Entry(String section, String name, Shape shape, float[] values) {
    }

    /** The entry of that section and name; fails naming both when absent. */
    public Entry get(String section, String name) {
        return entries.stream().filter(e -> e.section().equals(section) && e.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no " + section + " value named " + name));
    }

    /** The entries of one section, in order. */
    public List<Entry> section(String section) {
        return entries.stream().filter(e -> e.section().equals(section)).toList();
    }
}

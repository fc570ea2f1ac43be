package dev.tensorbackend.network;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Prints a documented pass so that a person can follow it step by step: the inputs, then each
 * value with its formula, and a note wherever the hand-worked solution that
 * docs/documented-pass.md describes goes wrong (numbered as that page numbers its mistakes).
 */
final class TextReport {
    private static final Map<String, String> TITLES = Map.of(
            DocumentedPass.INPUTS, "inputs and parameters before the step",
            Step.FORWARD, "forward pass",
            Step.GRADIENTS, "gradients (all at the parameters before the update)",
            Network.UPDATED, "updated parameters, one SGD step with alpha = " + DocumentedPass.LEARNING_RATE);

    private static final Map<String, String> FORMULAS = Map.ofEntries(
            Map.entry("forward/CN", "X (*) F + bC   (cross-correlation, stride 2)"),
            Map.entry("forward/Q", "CN WQ"),
            Map.entry("forward/K", "CN WK"),
            Map.entry("forward/V", "CN WV"),
            Map.entry("forward/S", "Q K^T / sqrt(d), d = 2"),
            Map.entry("forward/A", "softmax(S) along each row"),
            Map.entry("forward/SA", "A V   (flattened row-major into s)"),
            Map.entry("forward/z", "WD s + bD"),
            Map.entry("forward/yhat", "ReLU(z)"),
            Map.entry("forward/C", "(y - yhat)^2, y = 1"),
            Map.entry("gradients/dyhat", "dC/dyhat = 2 (yhat - y)"),
            Map.entry("gradients/dSA", "dC/dSA = dyhat * ReLU'(z) * WD, reshaped 2x2"),
            Map.entry("gradients/dV", "A^T dSA"),
            Map.entry("gradients/dA", "dSA V^T"),
            Map.entry("gradients/dS", "A * (dA - rowsum(dA * A))   (softmax backward, per row)"),
            Map.entry("gradients/dQ", "dS K / sqrt(d)"),
            Map.entry("gradients/dK", "dS^T Q / sqrt(d)"),
            Map.entry("gradients/dCN", "dQ WQ^T + dK WK^T + dV WV^T"),
            Map.entry("gradients/F", "dC/dF = X (*) dCN, per filter tap"),
            Map.entry("gradients/bC", "dC/dbC = sum of dCN"),
            Map.entry("gradients/WQ", "dC/dWQ = CN^T dQ"),
            Map.entry("gradients/WK", "dC/dWK = CN^T dK"),
            Map.entry("gradients/WV", "dC/dWV = CN^T dV"),
            Map.entry("gradients/WD", "dC/dWD = dz s"),
            Map.entry("gradients/bD", "dC/dbD = dz"));

    /** Where the hand-worked solution differs, and why (docs/documented-pass.md lists the mistakes). */
    private static final Map<String, String> HAND_WORKED = Map.ofEntries(
            Map.entry("forward/S", "hand-worked: computes Q K, not Q K^T (mistake 1)"),
            Map.entry("forward/A", "hand-worked: softmax down each column (mistake 2)"),
            Map.entry("forward/SA", "hand-worked: -4.09, 1.97 in the second row; 0.97*(-1) + 1*(-1) is -1.97 (mistake 3)"),
            Map.entry("forward/yhat", "hand-worked: 3.06, which follows from mistakes 1-3"),
            Map.entry("gradients/dyhat", "hand-worked: 2 (y - yhat) = -4.12, the sign is wrong (mistake 4)"),
            Map.entry("gradients/WD", "hand-worked: -0.37, -0.12, 16.85, -8.12, from its wrong SA and dC/dyhat"),
            Map.entry("gradients/WV", "hand-worked: -0.12, 8.36 / 0, -8.24, from its wrong A and dC/dyhat"),
            Map.entry("updated/bD", "hand-worked: 0.59; -1 - 0.1*(-4.12) would be -0.588 (mistake 5)"),
            Map.entry("updated/F", "hand-worked: never updated (mistake 6)"),
            Map.entry("updated/bC", "hand-worked: never updated (mistake 6)"),
            Map.entry("updated/WQ", "hand-worked: never updated (mistake 6)"),
            Map.entry("updated/WK", "hand-worked: never updated (mistake 6)"));

    private TextReport() {
    }

    static void print(PassRecord record, PrintStream out) {
        out.println("Documented pass on backend: " + record.backend());
        out.println("(the network, its inputs and the hand-worked solution's mistakes: docs/documented-pass.md)");
        for (String section : sections()) {
            out.println();
            out.println("== " + TITLES.get(section) + " ==");
            for (PassRecord.Entry e : record.section(section)) {
                String key = section + "/" + e.name();
                String formula = FORMULAS.get(key);
                out.println();
                out.println(label(e) + (formula == null ? "" : " = " + formula));
                printValues(e, out);
                String note = HAND_WORKED.get(key);
                if (note != null) {
                    out.println("    [" + note + "]");
                }
            }
        }
    }

    private static List<String> sections() {
        List<String> all = new ArrayList<>(List.of(DocumentedPass.INPUTS));
        all.addAll(DocumentedPass.SECTIONS);
        return all;
    }

    private static String label(PassRecord.Entry e) {
        return switch (e.section()) {
            case Step.GRADIENTS -> e.name().startsWith("d") ? e.name() : "d" + e.name();
            case Network.UPDATED -> e.name() + " (updated)";
            default -> e.name();
        };
    }

    private static void printValues(PassRecord.Entry e, PrintStream out) {
        int rank = e.shape().rank();
        int cols = rank == 0 ? 1 : e.shape().dim(-1);
        float[] v = e.values();
        for (int start = 0; start < v.length; start += cols) {
            StringBuilder row = new StringBuilder("    ").append(rank >= 2 ? "[" : "");
            for (int c = 0; c < cols; c++) {
                row.append(String.format(Locale.ROOT, "%14s", number(v[start + c])));
            }
            out.println(row.append(rank >= 2 ? " ]" : ""));
        }
    }

    /** Seven significant digits, without trailing zeros. */
    static String number(float f) {
        if (Float.isNaN(f) || Float.isInfinite(f)) {
            return Float.toString(f);
        }
        String s = String.format(Locale.ROOT, "%.7g", f);
        if (s.contains("e")) {
            return s;
        }
        s = s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
        return s.equals("-0") ? "0" : s;
    }
}

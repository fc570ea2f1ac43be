package dev.tensorbackend.api.check;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every case's result, and per op the worst errors over its cases. */
public record CrossCheckReport(String candidate, String reference, List<CaseResult> results) {

    /** Per op, over all its cases: worst absolute and relative error, and whether every case passed. */
    public record OpSummary(String method, int cases, double maxAbsError, double maxRelError, boolean passed,
                            String firstFailure) {
    }

    public boolean passed() {
        return results.stream().allMatch(CaseResult::passed);
    }

    public List<CaseResult> failures() {
        return results.stream().filter(r -> !r.passed()).toList();
    }

    /** One summary per checked method, in the order the cases run. */
    public List<OpSummary> summaries() {
        Map<String, List<CaseResult>> byMethod = new LinkedHashMap<>();
        for (CaseResult r : results) {
            byMethod.computeIfAbsent(r.opCase().method(), m -> new ArrayList<>()).add(r);
        }
        List<OpSummary> out = new ArrayList<>();
        byMethod.forEach((method, rs) -> {
            double abs = 0, rel = 0;
            for (CaseResult r : rs) {
                if (r.comparison() != null) {
                    abs = Math.max(abs, r.maxAbsError());
                    rel = Math.max(rel, r.maxRelError());
                }
            }
            String firstFailure = rs.stream().filter(r -> !r.passed()).map(CaseResult::toString).findFirst().orElse(null);
            out.add(new OpSummary(method, rs.size(), abs, rel, firstFailure == null, firstFailure));
        });
        return out;
    }
}

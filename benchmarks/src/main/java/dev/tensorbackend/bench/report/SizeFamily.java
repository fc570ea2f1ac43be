package dev.tensorbackend.bench.report;

/**
 * Which sizes a chart line may join: those of one family, i.e. the same label but for its
 * numbers ("256" and "1024" are square matmuls, "qkt-8x64x32" and "qkt-8x128x32" attention
 * shapes). Named cases ("documented", "mid", "mid-b1", "large") are each a family of their
 * own: they differ in more than one dimension, and a line between a 4x4 toy and a real
 * layer would suggest a trend that was never measured.
 */
final class SizeFamily {
    private SizeFamily() {
    }

    static String of(String size) {
        return size.replaceAll("\\d+", "#");
    }
}

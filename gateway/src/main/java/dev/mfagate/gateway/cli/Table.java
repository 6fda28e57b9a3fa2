package dev.mfagate.gateway.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A plain-text table for listings: each column as wide as its widest cell, two spaces between
 * columns, the last column unpadded, so that every column starts at the same place on every line
 * whatever the values' lengths. Not thread-safe; build, then print once.
 */
final class Table {
    private final String[] header;
    private final List<String[]> rows = new ArrayList<>();

    Table(String... header) {
        this.header = header.clone();
    }

    /** Adds a row with one cell per column; {@code null} prints empty. */
    Table row(Object... cells) {
        if (cells.length != header.length) {
            throw new IllegalArgumentException("A row has " + cells.length + " cells; the table has " + header.length + " columns");
        }
        rows.add(Arrays.stream(cells).map(c -> c == null ? "" : c.toString()).toArray(String[]::new));
        return this;
    }

    /** The header and rows, one line each. */
    List<String> lines() {
        int[] width = new int[header.length];
        for (int c = 0; c < header.length; c++) {
            width[c] = header[c].length();
            for (String[] r : rows) {
                width[c] = Math.max(width[c], r[c].codePointCount(0, r[c].length()));
            }
        }
        List<String> lines = new ArrayList<>(rows.size() + 1);
        lines.add(format(header, width));
        rows.forEach(r -> lines.add(format(r, width)));
        return lines;
    }

    void print(PrintStream out) {
        lines().forEach(out::println);
    }

    private static String format(String[] cells, int[] width) {
        StringBuilder s = new StringBuilder();
        for (int c = 0; c < cells.length; c++) {
            s.append(cells[c]);
            if (c < cells.length - 1) {
                s.append(" ".repeat(width[c] - cells[c].codePointCount(0, cells[c].length()) + 2));
            }
        }
        return s.toString();
    }
}

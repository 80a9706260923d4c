package dev.stephttp.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Figures of repeated rounds: per row and column, the min / median / max over rounds, printed as
 * a Markdown table (the form used in BENCHMARKS.md).
 */
final class Summary {
  private final String title;
  private final List<String> columns;
  private final Map<String, Map<String, List<Double>>> rows = new LinkedHashMap<>();

  Summary(String title, List<String> columns) {
    this.title = title;
    this.columns = columns;
  }

  /** Declares a row so that rows appear in this order whatever order cells arrive in. */
  synchronized void row(String row) {
    rows.computeIfAbsent(row, r -> new LinkedHashMap<>());
  }

  synchronized void add(String row, String column, double value) {
    rows.computeIfAbsent(row, r -> new LinkedHashMap<>())
        .computeIfAbsent(column, c -> new ArrayList<>()).add(value);
  }

  /** The median of a cell, NaN when empty. */
  synchronized double median(String row, String column) {
    List<Double> v = rows.getOrDefault(row, Map.of()).getOrDefault(column, List.of());
    if (v.isEmpty()) {
      return Double.NaN;
    }
    List<Double> s = new ArrayList<>(v);
    s.sort(null);
    return s.get(s.size() / 2);
  }

  synchronized String markdown() {
    StringBuilder sb = new StringBuilder();
    sb.append("\n### ").append(title).append("\n\n| |");
    columns.forEach(c -> sb.append(' ').append(c).append(" |"));
    sb.append("\n|---|");
    columns.forEach(c -> sb.append("---:|"));
    sb.append('\n');
    rows.forEach((row, cells) -> {
      sb.append("| ").append(row).append(" |");
      for (String c : columns) {
        List<Double> v = cells.getOrDefault(c, List.of());
        sb.append(' ').append(cell(v)).append(" |");
      }
      sb.append('\n');
    });
    sb.append("\n(cells: median, and [min – max] over ")
        .append(rows.values().stream().flatMap(m -> m.values().stream()).mapToInt(List::size)
            .max().orElse(0))
        .append(" round(s))\n");
    return sb.toString();
  }

  private static String cell(List<Double> v) {
    if (v.isEmpty()) {
      return "–";
    }
    List<Double> s = new ArrayList<>(v);
    s.sort(null);
    double med = s.get(s.size() / 2);
    if (s.size() == 1) {
      return fmt(med);
    }
    return fmt(med) + " [" + fmt(s.get(0)) + " – " + fmt(s.get(s.size() - 1)) + "]";
  }

  static String fmt(double d) {
    if (Double.isNaN(d)) {
      return "n/a";
    }
    double a = Math.abs(d);
    if (a >= 100) {
      return String.format(Locale.ROOT, "%.0f", d);
    }
    if (a >= 10) {
      return String.format(Locale.ROOT, "%.1f", d);
    }
    return String.format(Locale.ROOT, "%.2f", d);
  }
}

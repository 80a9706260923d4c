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

  String title() {
    return title;
  }

  /**
   * The raw figures, one line per value: {@code label TAB title TAB row TAB column TAB value},
   * after one line per column with an empty row and value (so the column order survives), read
   * back by {@link #fromRaw}; {@code --raw FILE} appends them.
   */
  synchronized String raw(String label) {
    StringBuilder sb = new StringBuilder();
    columns.forEach(c -> sb.append(String.join("\t", label, title, "", c, "")).append('\n'));
    rows.forEach((row, cells) -> {
      if (cells.isEmpty()) {
        sb.append(String.join("\t", label, title, row, "", "")).append('\n');
      }
      cells.forEach((column, values) -> values.forEach(v -> sb.append(String.join("\t", label,
          title, row, column, Double.toString(v))).append('\n')));
    });
    return sb.toString();
  }

  /**
   * Rebuilds the summaries of {@link #raw} lines, by label then title, in the order they first
   * appear (so rounds written by separate runs add up into one table).
   */
  static Map<String, Map<String, Summary>> fromRaw(List<String> lines) {
    Map<String, Map<String, List<String>>> columns = new LinkedHashMap<>();
    Map<String, Map<String, Summary>> out = new LinkedHashMap<>();
    for (String line : lines) {
      String[] f = line.split("\t", -1);
      if (f.length != 5) {
        continue;
      }
      List<String> cols = columns.computeIfAbsent(f[0], l -> new LinkedHashMap<>())
          .computeIfAbsent(f[1], t -> new ArrayList<>());
      Summary s = out.computeIfAbsent(f[0], l -> new LinkedHashMap<>())
          .computeIfAbsent(f[1], t -> new Summary(t, cols));
      if (!f[3].isEmpty() && !cols.contains(f[3])) {
        cols.add(f[3]);
      }
      if (!f[2].isEmpty()) {
        s.row(f[2]);
        if (!f[3].isEmpty()) {
          s.add(f[2], f[3], Double.parseDouble(f[4]));
        }
      }
    }
    return out;
  }

  /**
   * Side by side: every cell of {@code before} and {@code after} (same title), each as median
   * [min – max], and the ratio of the medians.
   */
  static String compare(String beforeLabel, Summary before, String afterLabel, Summary after) {
    StringBuilder sb = new StringBuilder();
    sb.append("\n### ").append(after.title).append(": ").append(beforeLabel).append(" vs ")
        .append(afterLabel).append("\n\n| | | ").append(beforeLabel).append(" | ")
        .append(afterLabel).append(" | ").append(afterLabel).append(" ÷ ").append(beforeLabel)
        .append(" |\n|---|---|---:|---:|---:|\n");
    java.util.Set<String> rowNames = new java.util.LinkedHashSet<>(before.rows.keySet());
    rowNames.addAll(after.rows.keySet());
    java.util.Set<String> columnNames = new java.util.LinkedHashSet<>(before.columns);
    columnNames.addAll(after.columns);
    for (String row : rowNames) {
      for (String c : columnNames) {
        List<Double> b = before.rows.getOrDefault(row, Map.of()).getOrDefault(c, List.of());
        List<Double> a = after.rows.getOrDefault(row, Map.of()).getOrDefault(c, List.of());
        if (a.isEmpty() && b.isEmpty()) {
          continue;
        }
        double ratio = after.median(row, c) / before.median(row, c);
        sb.append("| ").append(row).append(" | ").append(c).append(" | ").append(cell(b))
            .append(" | ").append(cell(a)).append(" | ")
            .append(Double.isFinite(ratio) ? fmt(ratio) + "×" : "–").append(" |\n");
      }
    }
    return sb.toString();
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

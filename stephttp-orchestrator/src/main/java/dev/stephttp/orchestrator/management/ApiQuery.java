package dev.stephttp.orchestrator.management;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Query-string parsing and validation (docs/management-api.md §2.7) that collects every violation
 * instead of stopping at the first (§2.5.1 stage 6); {@link #check()} throws them together.
 */
final class ApiQuery {
  private static final int MAX_VALUES = 50;
  private final Map<String, List<String>> params = new LinkedHashMap<>();
  private final List<ApiException.Error> errors = new ArrayList<>();

  ApiQuery(String rawQuery) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return;
    }
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String k = decode(eq < 0 ? pair : pair.substring(0, eq));
      String v = eq < 0 ? "" : decode(pair.substring(eq + 1));
      params.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
    }
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8); // §2.7: '+' is a space in queries
    } catch (IllegalArgumentException e) {
      return s;
    }
  }

  void error(String code, String message, String field) {
    errors.add(new ApiException.Error(code, message, field));
  }

  boolean hasErrors() {
    return !errors.isEmpty();
  }

  /** Throws every collected error at once. */
  void check() {
    if (!errors.isEmpty()) {
      throw new ApiException(errors);
    }
  }

  /** First value of a single-valued parameter, or null (§2.7: the first occurrence wins). */
  String first(String name) {
    List<String> v = params.get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  int integer(ApiParam p, String rangeCode) {
    String raw = first(p.name());
    int dflt = (Integer) p.dflt();
    if (raw == null) {
      return dflt;
    }
    int v;
    try {
      v = Integer.parseInt(raw.trim());
    } catch (NumberFormatException e) {
      error("invalid_integer", p.name() + " must be a base-10 integer; got '" + cut(raw) + "'.",
          p.name());
      return dflt;
    }
    if (v < p.min() || v > p.max()) {
      error(rangeCode, p.name() + " must be between " + p.min() + " and " + p.max() + "; got "
          + v + ".", p.name());
      return dflt;
    }
    return v;
  }

  /** A boolean, or the parameter's default (null when it has none). */
  Boolean bool(ApiParam p) {
    String raw = first(p.name());
    if (raw == null) {
      return (Boolean) p.dflt();
    }
    switch (raw.trim().toLowerCase(Locale.ROOT)) {
      case "true", "1" -> {
        return true;
      }
      case "false", "0" -> {
        return false;
      }
      default -> {
        error("invalid_boolean", p.name() + " must be true, false, 1 or 0; got '" + cut(raw)
            + "'.", p.name());
        return (Boolean) p.dflt();
      }
    }
  }

  /** One enum value (case-insensitive, trimmed; camelCase aliases of *_AT accepted). */
  String enumOne(ApiParam p, String code) {
    String raw = first(p.name());
    if (raw == null) {
      return (String) p.dflt();
    }
    String v = normaliseEnum(raw);
    if (!p.values().contains(v)) {
      error(code, p.name() + " value '" + cut(raw) + "' is not one of "
          + String.join(", ", p.values()) + ".", p.name());
      return (String) p.dflt();
    }
    return v;
  }

  private static String normaliseEnum(String raw) {
    String t = raw.trim();
    // camelCase aliases: queuedAt -> QUEUED_AT
    String snake = t.replaceAll("([a-z])([A-Z])", "$1_$2");
    return snake.toUpperCase(Locale.ROOT);
  }

  /** Repeated or comma-separated enum values; only the first bad one is reported. */
  Set<String> enumMulti(ApiParam p, String code) {
    Set<String> out = new LinkedHashSet<>();
    List<String> raw = new ArrayList<>();
    for (String v : params.getOrDefault(p.name(), List.of())) {
      for (String part : v.split(",")) {
        if (!part.isBlank()) {
          raw.add(part);
        }
      }
    }
    if (raw.size() > MAX_VALUES) {
      error("too_many_values", p.name() + " accepts at most " + MAX_VALUES + " values; got "
          + raw.size() + ".", p.name());
      return out;
    }
    for (String r : raw) {
      String v = normaliseEnum(r);
      if (!p.values().contains(v)) {
        error(code, p.name() + " value '" + cut(r) + "' is not one of "
            + String.join(", ", p.values()) + ".", p.name());
        return Set.of();
      }
      out.add(v);
    }
    return out;
  }

  /** Repeated ID values, never split on commas; empty values dropped. */
  Set<String> ids(ApiParam p) {
    Set<String> out = new LinkedHashSet<>();
    List<String> raw = params.getOrDefault(p.name(), List.of()).stream()
        .filter(s -> !s.isEmpty()).toList();
    if (raw.size() > MAX_VALUES) {
      error("too_many_values", p.name() + " accepts at most " + MAX_VALUES + " values; got "
          + raw.size() + ".", p.name());
      return out;
    }
    out.addAll(raw);
    return out;
  }

  /** An RFC 3339 timestamp with an offset, as epoch ms; null when absent or invalid. */
  Long timestamp(ApiParam p) {
    String raw = first(p.name());
    if (raw == null) {
      return null;
    }
    try {
      return OffsetDateTime.parse(raw.trim()).toInstant().toEpochMilli();
    } catch (DateTimeParseException e) {
      error("invalid_timestamp", p.name() + " must be an RFC 3339 timestamp with an offset, such"
          + " as 2025-08-11T10:30:00Z; got '" + cut(raw) + "'.", p.name());
      return null;
    }
  }

  /** §2.6: validates a cursor for this endpoint, order and filter hash; null when absent. */
  Cursor cursor(String endpoint, String order, String filterHash) {
    String raw = first(ApiParam.CURSOR.name());
    if (raw == null || raw.isEmpty()) {
      return null;
    }
    Cursor c = Cursor.decode(raw);
    if (c == null || !c.endpoint().equals(endpoint) || !c.order().equals(order)
        || !c.filter().equals(filterHash)) {
      error("invalid_cursor", "cursor was not issued by this server for this endpoint, order and"
          + " filter set.", "cursor");
      return null;
    }
    return c;
  }

  static String cut(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "…";
  }
}

package dev.stephttp.internal.wire;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Objects;

/**
 * Parses and formats duration strings such as {@code 1m30s} or {@code 1.5h} (docs/protocol.md §6.4);
 * stateless and thread-safe.
 */
public final class Durations {
  private static final long NS = 1L;
  private static final long US = 1_000L;
  private static final long MS = 1_000_000L;
  private static final long S = 1_000_000_000L;
  private static final long M = 60 * S;
  private static final long H = 60 * M;
  private static final long D = 24 * H;
  private static final long W = 7 * D;

  // Largest unit first; format() writes every non-zero part in this order.
  private static final String[] FORMAT_UNITS = {"w", "d", "h", "m", "s", "ms", "us", "ns"};
  private static final long[] FORMAT_NANOS = {W, D, H, M, S, MS, US, NS};

  private static final BigInteger MIN_NANOS = BigInteger.valueOf(Long.MIN_VALUE);
  private static final BigInteger MAX_NANOS = BigInteger.valueOf(Long.MAX_VALUE);

  private Durations() {}

  /**
   * Parses {@code [-+]?(<number><unit>)+}, or {@code 0} alone. Numbers may have a fraction
   * ({@code 1.5h}, {@code .5s}); units are {@code ns us µs μs ms s m h d w}. Like Go, the result
   * must fit in a signed 64-bit count of nanoseconds (about 292 years), and fractions of a
   * nanosecond are truncated.
   *
   * @throws IllegalArgumentException if {@code s} does not follow the grammar or overflows
   */
  public static Duration parse(String s) {
    Objects.requireNonNull(s, "s == null");
    int i = 0;
    boolean negative = false;
    if (!s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+')) {
      negative = s.charAt(0) == '-';
      i = 1;
    }
    if (s.substring(i).equals("0")) {
      return Duration.ZERO;
    }
    if (i == s.length()) {
      throw invalid(s, "expected <number><unit>");
    }
    BigInteger total = BigInteger.ZERO;
    while (i < s.length()) {
      int numberStart = i;
      while (i < s.length() && (isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
        i++;
      }
      String number = s.substring(numberStart, i);
      int unitStart = i;
      while (i < s.length() && !isDigit(s.charAt(i)) && s.charAt(i) != '.') {
        i++;
      }
      String unit = s.substring(unitStart, i);
      total = total.add(group(s, number, unit));
    }
    if (negative) {
      total = total.negate();
    }
    if (total.compareTo(MIN_NANOS) < 0 || total.compareTo(MAX_NANOS) > 0) {
      throw invalid(s, "longer than 2^63-1 nanoseconds");
    }
    return Duration.ofNanos(total.longValueExact());
  }

  /**
   * Formats like the Go client: units {@code w d h m s ms us ns}, zero parts omitted, a leading
   * {@code -} for negative values and {@code 0s} for zero ({@code 90s} gives {@code 1m30s}).
   */
  public static String format(Duration d) {
    Objects.requireNonNull(d, "d == null");
    BigInteger nanos =
        BigInteger.valueOf(d.getSeconds()).multiply(BigInteger.valueOf(S)).add(BigInteger.valueOf(d.getNano()));
    if (nanos.signum() == 0) {
      return "0s";
    }
    StringBuilder out = new StringBuilder();
    if (nanos.signum() < 0) {
      out.append('-');
      nanos = nanos.negate();
    }
    for (int u = 0; u < FORMAT_UNITS.length; u++) {
      BigInteger[] qr = nanos.divideAndRemainder(BigInteger.valueOf(FORMAT_NANOS[u]));
      if (qr[0].signum() != 0) {
        out.append(qr[0]).append(FORMAT_UNITS[u]);
      }
      nanos = qr[1];
    }
    return out.toString();
  }

  private static BigInteger group(String s, String number, String unit) {
    if (number.isEmpty() || number.equals(".") || number.indexOf('.') != number.lastIndexOf('.')) {
      throw invalid(s, "expected a number before each unit");
    }
    if (unit.isEmpty()) {
      throw invalid(s, "missing unit after " + number);
    }
    long unitNanos = unitNanos(unit);
    if (unitNanos == 0) {
      throw invalid(s, "unknown unit \"" + unit + "\"");
    }
    String digits = number.endsWith(".") ? number + "0" : number;
    if (digits.startsWith(".")) {
      digits = "0" + digits;
    }
    // docs/protocol.md §6.4 via Go: fractions of a nanosecond are truncated per group.
    return new BigDecimal(digits)
        .multiply(BigDecimal.valueOf(unitNanos))
        .setScale(0, RoundingMode.DOWN)
        .toBigIntegerExact();
  }

  private static long unitNanos(String unit) {
    switch (unit) {
      case "ns":
        return NS;
      case "us":
      case "\u00b5s": // µ MICRO SIGN
      case "\u03bcs": // μ GREEK SMALL LETTER MU
        return US;
      case "ms":
        return MS;
      case "s":
        return S;
      case "m":
        return M;
      case "h":
        return H;
      case "d":
        return D;
      case "w":
        return W;
      default:
        return 0;
    }
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static IllegalArgumentException invalid(String s, String reason) {
    return new IllegalArgumentException("Invalid duration \"" + s + "\": " + reason);
  }
}

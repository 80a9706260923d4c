package dev.stephttp.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.eclipse.jetty.server.Server;

/**
 * Measurement 2c, the filter on a request that calls no step against the plain servlet, paired
 * ({@code filter --interleave-ms W}): a difference of a few percent is smaller than the drift of
 * a shared machine between two 10-second runs, so each round alternates {@code /plain} and
 * {@code /filtered} in windows of {@code W} ms, in ABBA order (plain, filtered, filtered, plain,
 * ...: a steady drift favours neither), over {@code --pairs N} pairs of adjacent windows. The
 * driver's connections stay open across windows (one closed-loop run per round; each request
 * picks its path by the window it starts in, and counts there). Per round: each path's req/s and
 * latencies, the ratio of the two totals, and the ratio filtered ÷ plain of every pair, of which
 * the median and a distribution-free 95% confidence interval of that median
 * ({@link #medianInterval}) are reported; the last row pools the pairs of all rounds.
 */
final class FilterPairs {
  static final String REFERENCE = "/plain";
  static final String OTHER = "/filtered";
  static final String RATIO = "× plain req/s";
  static final String PAIR_MEDIAN = "pair ratio median";
  static final String PAIR_LOW = "pair ratio 95% low";
  static final String PAIR_HIGH = "pair ratio 95% high";
  static final String PAIRS = "pairs";
  static final String POOLED = "/filtered, pairs of all rounds";

  private FilterPairs() {}

  /**
   * Which path window {@code w} measures (0: {@link #REFERENCE}, 1: {@link #OTHER}): pair
   * {@code w / 2} holds windows {@code 2k} and {@code 2k + 1}; even pairs run the reference first,
   * odd pairs second (ABBA). Warm-up windows (negative) alternate the same way.
   */
  static int pathOf(long window) {
    long pair = Math.floorDiv(window, 2);
    int position = (int) Math.floorMod(window, 2);
    return position ^ (int) (pair & 1);
  }

  /**
   * Per pair, the other path's requests ÷ the reference's (windows of equal length, so the ratio
   * of their req/s); {@code perWindow[w]} counts the requests started in window {@code w}.
   */
  static double[] pairRatios(long[] perWindow) {
    if (perWindow.length % 2 != 0) {
      throw new IllegalArgumentException("an odd number of windows: " + perWindow.length);
    }
    double[] ratios = new double[perWindow.length / 2];
    for (int k = 0; k < ratios.length; k++) {
      long first = perWindow[2 * k];
      long second = perWindow[2 * k + 1];
      boolean referenceFirst = pathOf(2L * k) == 0;
      ratios[k] = (double) (referenceFirst ? second : first) / (referenceFirst ? first : second);
    }
    return ratios;
  }

  /** The median (the mean of the two middle values when their number is even); NaN when empty. */
  static double median(double[] values) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] s = values.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  /**
   * A distribution-free confidence interval of the median of {@code values}: sorted, the
   * {@code k}-th smallest and the {@code k}-th largest, with the largest {@code k} for which
   * P(Binomial(n, ½) &lt; k) ≤ (1 − confidence) / 2 (the number of values below the true median
   * is Binomial(n, ½) whatever their distribution, so the interval misses the median with
   * probability at most 1 − confidence). With too few values for any such {@code k} (fewer than 6
   * at 95%), the whole range, whose coverage is lower. {@code {NaN, NaN}} when empty.
   */
  static double[] medianInterval(double[] values, double confidence) {
    int n = values.length;
    if (n == 0) {
      return new double[] {Double.NaN, Double.NaN};
    }
    double[] s = values.clone();
    Arrays.sort(s);
    double tail = (1 - confidence) / 2;
    int k = 0; // k + 1 qualifies when P(B <= k) <= tail
    while (k < (n + 1) / 2 && binomialHalfAtMost(n, k) <= tail) {
      k++;
    }
    if (k == 0) {
      return new double[] {s[0], s[n - 1]};
    }
    return new double[] {s[k - 1], s[n - k]};
  }

  /** P(Binomial(n, ½) ≤ j), summed in logarithms so that large {@code n} does not underflow. */
  static double binomialHalfAtMost(int n, int j) {
    double logTerm = -n * Math.log(2); // log P(B = 0)
    double sum = 0;
    for (int i = 0; i <= j; i++) {
      sum += Math.exp(logTerm);
      logTerm += Math.log((double) (n - i) / (i + 1));
    }
    return Math.min(1, sum);
  }

  static Summary run(Args a) throws Exception {
    int connections = a.integer("connections", 16);
    int rounds = a.integer("rounds", 3);
    long warmup = a.integer("warmup-ms", 3000);
    int windowMillis = a.integer("interleave-ms", 1000);
    int pairs = a.integer("pairs", 15);
    int workMillis = a.integer("work-ms", 0);
    String paths = a.text("paths", REFERENCE + "," + OTHER);
    if (!paths.equals(REFERENCE + "," + OTHER)) {
      throw new IllegalArgumentException("--interleave-ms compares " + REFERENCE + " with " + OTHER
          + " (--paths " + REFERENCE + "," + OTHER + "), not " + paths);
    }
    if (a.decimal("rate", 0) > 0) {
      throw new IllegalArgumentException("--interleave-ms measures a closed loop's req/s: no --rate");
    }
    if (windowMillis <= 0 || pairs <= 0) {
      throw new IllegalArgumentException("--interleave-ms and --pairs must be positive");
    }
    int windows = 2 * pairs;
    long windowNanos = windowMillis * 1_000_000L;
    List<String> columns = List.of("req/s", "p50 ms", "p99 ms", RATIO, PAIR_MEDIAN, PAIR_LOW,
        PAIR_HIGH, PAIRS, "errors");
    Summary s = new Summary("Filter overhead, paired: " + connections + " keep-alive connections,"
        + " closed loop, " + REFERENCE + " and " + OTHER + " alternating in " + windowMillis
        + " ms windows (ABBA), " + pairs + " pairs per round, handler "
        + (workMillis == 0 ? "does no work" : "waits " + workMillis + " ms (its own I/O)"),
        columns);
    s.row(REFERENCE);
    s.row(OTHER);
    s.row(POOLED);
    List<Double> allRatios = new ArrayList<>();
    // No step is called: the filter contacts no orchestrator, so none is started.
    Server app = FilterLoad.app("http://127.0.0.1:" + Loopback.closedPort(), workMillis,
        List.of(REFERENCE, OTHER));
    String base = Loopback.url(app);
    String[] byIndex = {REFERENCE, OTHER};
    try {
      for (int r = 1; r <= rounds; r++) {
        long[][] counts = new long[connections][windows];
        Latencies[][] latencies = new Latencies[connections][2];
        for (Latencies[] l : latencies) {
          l[0] = new Latencies();
          l[1] = new Latencies();
        }
        long measureFrom = System.nanoTime() + warmup * 1_000_000L;
        Load.Result res = Load.closed(base, connections, warmup, windows * (long) windowMillis,
            Long.MAX_VALUE, (http, t, seq) -> {
              long t0 = System.nanoTime();
              long w = Math.floorDiv(t0 - measureFrom, windowNanos);
              int path = pathOf(w);
              RawHttp.Response resp = http.get(byIndex[path]);
              if (resp.status() != 200) {
                throw new IllegalStateException(byIndex[path] + " answered " + resp.status());
              }
              if (w >= 0 && w < windows) { // counted in the window it started in
                latencies[t][path].add(System.nanoTime() - t0);
                counts[t][(int) w]++;
              }
            });
        long[] perWindow = new long[windows];
        long[] perPath = new long[2];
        for (long[] c : counts) {
          for (int w = 0; w < windows; w++) {
            perWindow[w] += c[w];
            perPath[pathOf(w)] += c[w];
          }
        }
        double seconds = pairs * windowMillis / 1000.0; // each path's time in the round
        double[] ratios = pairRatios(perWindow);
        double[] interval = medianInterval(ratios, 0.95);
        Arrays.stream(ratios).forEach(allRatios::add);
        for (int p = 0; p < 2; p++) {
          List<Latencies> parts = new ArrayList<>();
          for (Latencies[] l : latencies) {
            parts.add(l[p]);
          }
          Latencies l = Latencies.merge(parts);
          String row = byIndex[p];
          s.add(row, "req/s", perPath[p] / seconds);
          s.add(row, "p50 ms", l.percentileMillis(0.5));
          s.add(row, "p99 ms", l.percentileMillis(0.99));
        }
        s.add(OTHER, RATIO, (double) perPath[1] / perPath[0]);
        s.add(OTHER, PAIR_MEDIAN, median(ratios));
        s.add(OTHER, PAIR_LOW, interval[0]);
        s.add(OTHER, PAIR_HIGH, interval[1]);
        s.add(OTHER, PAIRS, ratios.length);
        s.add(OTHER, "errors", res.errors());
        System.err.printf(Locale.ROOT, "round %d  %s %.0f req/s  %s %.0f req/s  totals %.3f  pair"
            + " ratios median %.3f [95%%: %.3f – %.3f]  errors %d  pairs %s%n", r, REFERENCE,
            perPath[0] / seconds, OTHER, perPath[1] / seconds, (double) perPath[1] / perPath[0],
            median(ratios), interval[0], interval[1], res.errors(), format(ratios));
      }
    } finally {
      app.stop();
    }
    double[] pooled = allRatios.stream().mapToDouble(Double::doubleValue).toArray();
    double[] interval = medianInterval(pooled, 0.95);
    s.add(POOLED, PAIR_MEDIAN, median(pooled));
    s.add(POOLED, PAIR_LOW, interval[0]);
    s.add(POOLED, PAIR_HIGH, interval[1]);
    s.add(POOLED, PAIRS, pooled.length);
    return s;
  }

  private static String format(double[] ratios) {
    StringBuilder sb = new StringBuilder();
    for (double r : ratios) {
      sb.append(sb.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.3f", r));
    }
    return sb.toString();
  }
}

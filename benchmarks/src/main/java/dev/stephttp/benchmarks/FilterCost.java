package dev.stephttp.benchmarks;

import java.util.List;
import java.util.Map;
import org.openjdk.jmh.results.BenchmarkResult;

/**
 * Runs {@link FilterBenchmark} with JMH and tabulates what the filter costs a request that calls
 * no step: CPU ns per request with and without it (and the elapsed ns JMH measured), the
 * difference, and plain ÷ filtered (the req/s ratio if the CPU were the only limit). Each of the
 * {@code --forks} rounds is one JMH run with one fork of every benchmark, so that drift in the
 * machine's load hits plain and filtered alike, and the difference is taken within a round.
 */
final class FilterCost {
  static final String CPU = "CPU ns/request";
  static final String ELAPSED = "elapsed ns/request";
  static final String ADDS = "filter adds µs (CPU)";
  static final String RATIO = "plain ÷ filtered (CPU)";
  private FilterCost() {}

  static Summary run(Args a) throws Exception {
    Summary s = new Summary("Filter cost, no step (JMH, in-process Jetty LocalConnector, one"
        + " keep-alive connection; one value per round of one fork each)",
        List.of(CPU, ELAPSED, ADDS, RATIO));
    List.of("GET /plain", "GET /filtered", "POST /plain", "POST /filtered").forEach(s::row);
    // Jetty's request path compiles late on a busy machine: 8 s of warm-up before 5 s measured.
    Args j = a.withDefaults("--warmup-iterations", "8", "--iterations", "5");
    int forks = a.integer("forks", 3);
    int rounds = Math.max(forks, 1);
    for (int r = 1; r <= rounds; r++) {
      System.err.printf("filter-cost round %d of %d%n", r, rounds);
      // --forks 0: one round in this JVM (for the tests)
      Map<String, List<BenchmarkResult>> results = Jmh.run(j, FilterBenchmark.class, Math.min(forks, 1));
      for (String verb : List.of("GET", "POST")) {
        add(s, verb, only(results, verb + " /plain"), only(results, verb + " /filtered"));
      }
    }
    return s;
  }

  /** Adds one round's figures of a pair, each {@code {CPU ns, requests, elapsed ns per request}}. */
  static void add(Summary s, String verb, double[] plain, double[] filtered) {
    double plainCpu = plain[0] / plain[1];
    double filteredCpu = filtered[0] / filtered[1];
    s.add(verb + " /plain", CPU, plainCpu);
    s.add(verb + " /plain", ELAPSED, plain[2]);
    s.add(verb + " /filtered", CPU, filteredCpu);
    s.add(verb + " /filtered", ELAPSED, filtered[2]);
    s.add(verb + " /filtered", ADDS, (filteredCpu - plainCpu) / 1000);
    s.add(verb + " /filtered", RATIO, plainCpu / filteredCpu);
  }

  /** The one fork of a request: its CPU ns, its requests and its elapsed ns per request. */
  private static double[] only(Map<String, List<BenchmarkResult>> results, String request) {
    String benchmark = "exchange (" + request + ")";
    List<BenchmarkResult> forks = results.get(benchmark);
    if (forks == null || forks.size() != 1) {
      throw new IllegalStateException("expected one fork of " + benchmark + ", got " + forks);
    }
    BenchmarkResult r = forks.get(0);
    double[] v = {Jmh.score(r, "cpuNs"), Jmh.score(r, "requests"), Jmh.score(r, null)};
    if (!(v[0] > 0 && v[1] > 0)) {
      throw new IllegalStateException(benchmark + " measured no CPU time or no request: cpuNs "
          + v[0] + ", requests " + v[1]);
    }
    return v;
  }
}

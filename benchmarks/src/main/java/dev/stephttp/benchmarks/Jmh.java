package dev.stephttp.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the JMH benchmarks of one class with the command's options: {@code --forks N},
 * {@code --warmup-iterations N}, {@code --iterations N}, {@code --iteration-s S} and
 * {@code --prof NAME} (a JMH profiler, e.g. {@code stack} or {@code gc}).
 */
final class Jmh {
  private Jmh() {}

  /**
   * The result of each fork, by benchmark: {@code method}, or {@code method (values)} with the
   * values of its parameters in the order of their names.
   */
  static Map<String, List<BenchmarkResult>> run(Args a, Class<?> benchmarks, int forks) throws Exception {
    ChainedOptionsBuilder opts = new OptionsBuilder()
        .include(benchmarks.getName() + "\\.")
        .forks(forks)
        .warmupIterations(a.integer("warmup-iterations", 2))
        .measurementIterations(a.integer("iterations", 3))
        .warmupTime(TimeValue.seconds(a.integer("iteration-s", 1)))
        .measurementTime(TimeValue.seconds(a.integer("iteration-s", 1)));
    String prof = a.text("prof", null);
    if (prof != null) {
      opts.addProfiler(prof);
    }
    Map<String, List<BenchmarkResult>> scores = new LinkedHashMap<>();
    for (RunResult rr : new Runner(opts.build()).run()) {
      String method = rr.getParams().getBenchmark();
      method = method.substring(method.lastIndexOf('.') + 1);
      List<String> params = new ArrayList<>();
      rr.getParams().getParamsKeys().forEach(k -> params.add(rr.getParams().getParam(k)));
      String name = params.isEmpty() ? method : method + " (" + String.join(" ", params) + ")";
      List<BenchmarkResult> perFork = scores.computeIfAbsent(name, k -> new ArrayList<>());
      perFork.addAll(rr.getBenchmarkResults());
    }
    return scores;
  }

  /** A result's primary score, and a secondary one ({@code NaN} if it has none of that name). */
  static double score(BenchmarkResult result, String secondary) {
    if (secondary == null) {
      return result.getPrimaryResult().getScore();
    }
    org.openjdk.jmh.results.Result<?> r = result.getSecondaryResults().get(secondary);
    return r == null ? Double.NaN : r.getScore();
  }
}

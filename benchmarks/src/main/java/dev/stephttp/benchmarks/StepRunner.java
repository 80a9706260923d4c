package dev.stephttp.benchmarks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/** Runs {@link StepBenchmark} with JMH and tabulates ns per step per fork (min/median/max). */
final class StepRunner {
  private StepRunner() {}

  static Summary run(Args a) throws Exception {
    int forks = a.integer("forks", 3);
    Options opts = new OptionsBuilder()
        .include(StepBenchmark.class.getName() + "\\.")
        .forks(forks)
        .warmupIterations(a.integer("warmup-iterations", 2))
        .measurementIterations(a.integer("iterations", 3))
        .warmupTime(TimeValue.seconds(a.integer("iteration-s", 1)))
        .measurementTime(TimeValue.seconds(a.integer("iteration-s", 1)))
        .build();
    Collection<RunResult> results = new Runner(opts).run();
    Summary s = new Summary("Step overhead (JMH, ns per step, " + StepBenchmark.STEPS
        + " steps per run context; one value per fork)",
        List.of("ns/step", "× Jackson floor", "− floor ns"));
    Map<String, List<Double>> floor = new HashMap<>();
    List<Object[]> rows = new ArrayList<>();
    for (RunResult rr : results) {
      String method = rr.getParams().getBenchmark();
      method = method.substring(method.lastIndexOf('.') + 1);
      String size = rr.getParams().getParam("size");
      List<Double> perFork = new ArrayList<>();
      for (BenchmarkResult br : rr.getBenchmarkResults()) {
        perFork.add(br.getPrimaryResult().getScore());
      }
      if (method.equals("jacksonFloor")) {
        floor.put(size, perFork);
      }
      rows.add(new Object[] {method, size, perFork});
    }
    rows.sort((x, y) -> ((String) x[1] + x[0]).compareTo((String) y[1] + y[0]));
    for (Object[] row : rows) {
      String name = row[0] + " (" + row[1] + ")";
      @SuppressWarnings("unchecked")
      List<Double> perFork = (List<Double>) row[2];
      List<Double> fl = floor.get((String) row[1]);
      for (int i = 0; i < perFork.size(); i++) {
        double v = perFork.get(i);
        s.add(name, "ns/step", v);
        if (fl != null && i < fl.size()) {
          s.add(name, "× Jackson floor", v / fl.get(i));
          s.add(name, "− floor ns", v - fl.get(i));
        }
      }
    }
    return s;
  }
}

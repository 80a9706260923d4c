package dev.stephttp.benchmarks;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Runs {@link StepBenchmark} with JMH and tabulates ns per step per fork (min/median/max). */
final class StepRunner {
  private StepRunner() {}

  static Summary run(Args a) throws Exception {
    Map<String, List<Double>> scores = new HashMap<>();
    Jmh.run(a, StepBenchmark.class, a.integer("forks", 3)).forEach((name, forks) ->
        scores.put(name, forks.stream().map(f -> Jmh.score(f, null)).toList()));
    Summary s = new Summary("Step overhead (JMH, ns per step, " + StepBenchmark.STEPS
        + " steps per run context; one value per fork)",
        List.of("ns/step", "× Jackson floor", "− floor ns"));
    List<String> names = new ArrayList<>(scores.keySet());
    // by size, then method: "stepRun (small)" sorts by "(small)stepRun"
    names.sort((x, y) -> (size(x) + x).compareTo(size(y) + y));
    for (String name : names) {
      List<Double> perFork = scores.get(name);
      List<Double> fl = scores.get("jacksonFloor " + size(name));
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

  private static String size(String name) {
    return name.substring(name.indexOf('('));
  }
}

package dev.stephttp.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Entry point of {@code stephttp-benchmarks.jar}:
 * {@code java -jar benchmarks/target/stephttp-benchmarks.jar <step|filter|filter-cost|orchestrator|async|scale|soak|all> [options]}.
 * Prints one Markdown table per measurement on standard output (progress on standard error).
 * Common options: {@code --jar PATH} (orchestrator jar, default
 * {@value ChildOrchestrator#DEFAULT_JAR}), {@code --orchestrator-jvm "-Xmx1g ..."},
 * {@code --rounds N}, {@code --rate N} (fixed-rate load instead of a closed loop, for
 * {@code filter} and {@code orchestrator}), {@code --short} (with {@code all}: a quick version of
 * everything), {@code --out FILE} (append the tables to a file), {@code --raw FILE} with
 * {@code --label NAME} (append the raw figures, which {@code tables FILE} turns into tables and
 * before/after comparisons: what {@code benchmarks/compare.sh} uses).
 */
public final class Bench {
  private Bench() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0 || args[0].equals("--help")) {
      System.out.println("usage: java -jar stephttp-benchmarks.jar"
          + " <step|filter|filter-cost|orchestrator|async|scale|soak|all> [--short] [--rounds N] [--jar PATH]"
          + " [--rate N] [--out FILE] [--raw FILE --label NAME]"
          + " [options of the measurement, see BENCHMARKS.md]\n"
          + "       java -jar stephttp-benchmarks.jar tables RAWFILE"
          + "   (tables, and before/after comparisons, of figures written with --raw)\n"
          + "       java -jar stephttp-benchmarks.jar jfr RECORDING.jfr [--skip-s S]"
          + "   (where the CPU goes: samples by frame, package, stephttp class, thread)");
      return;
    }
    String what = args[0];
    if (what.equals("jfr")) {
      System.out.println(JfrProfile.run(Path.of(args[1]),
          new Args(Arrays.copyOfRange(args, 2, args.length)).decimal("skip-s", 0)));
      return;
    }
    if (what.equals("tables")) {
      System.out.println(tables(Files.readAllLines(Path.of(args[1]), StandardCharsets.UTF_8)));
      return;
    }
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    Args a = new Args(rest);
    long t0 = System.nanoTime();
    List<Summary> summaries = new ArrayList<>();
    String soak = "";
    boolean failed = false;
    String machine = machine();
    switch (what) {
      case "step" -> summaries.add(StepRunner.run(a));
      case "soak" -> {
        Soak.Result r = Soak.run(a);
        soak = r.markdown();
        failed = !r.ok();
      }
      case "filter" -> summaries.add(FilterLoad.run(a));
      case "filter-cost" -> summaries.add(FilterCost.run(a));
      case "orchestrator" -> summaries.add(OrchestratorLoad.run(a));
      case "async" -> summaries.addAll(AsyncLatency.run(a));
      case "scale" -> summaries.add(ScaleBench.run(a));
      case "all" -> all(a, summaries);
      default -> throw new IllegalArgumentException("unknown benchmark " + what);
    }
    StringBuilder text = new StringBuilder(machine);
    summaries.forEach(s -> text.append(s.markdown()));
    text.append(soak).append(String.format("%n(%s took %.0f s)%n", what,
        (System.nanoTime() - t0) / 1e9));
    System.out.println(text);
    append(a.text("out", null), text.toString());
    String label = a.text("label", "run");
    append(a.text("raw", null), summaries.stream().map(s -> s.raw(label))
        .collect(Collectors.joining()));
    if (failed) {
      System.exit(1);
    }
  }

  private static void append(String file, String text) throws IOException {
    if (file != null) {
      Files.writeString(Path.of(file), text, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    }
  }

  /**
   * The tables of {@code --raw} lines, per label; with exactly two labels (as
   * {@code benchmarks/compare.sh} writes: before, after) also each table side by side.
   */
  static String tables(List<String> rawLines) {
    Map<String, Map<String, Summary>> byLabel = Summary.fromRaw(rawLines);
    StringBuilder sb = new StringBuilder();
    byLabel.forEach((label, summaries) -> {
      sb.append("\n## ").append(label).append('\n');
      summaries.values().forEach(s -> sb.append(s.markdown()));
    });
    if (byLabel.size() == 2) {
      List<String> labels = new ArrayList<>(byLabel.keySet());
      Map<String, Summary> before = byLabel.get(labels.get(0));
      Map<String, Summary> after = byLabel.get(labels.get(1));
      sb.append("\n## ").append(labels.get(0)).append(" vs ").append(labels.get(1)).append('\n');
      after.forEach((title, s) -> {
        Summary b = before.get(title);
        if (b != null) {
          sb.append(Summary.compare(labels.get(0), b, labels.get(1), s));
        }
      });
    }
    return sb.toString();
  }

  /** Everything in sequence; with {@code --short} small parameters (under 10 minutes). */
  private static void all(Args a, List<Summary> summaries) throws Exception {
    boolean quick = a.flag("short");
    Args s = quick ? a.withDefaults("--rounds", "1", "--forks", "1", "--warmup-iterations", "1",
        "--iterations", "2", "--iteration-s", "1", "--warmup-ms", "2000", "--measure-ms", "4000",
        "--sleep-runs", "500", "--sleep-spread-ms", "3000", "--output-runs", "100",
        "--event-samples", "50", "--event-pending", "10000", "--runs", "10000") : a;
    summaries.add(StepRunner.run(s));
    summaries.add(FilterLoad.run(s));
    summaries.add(FilterCost.run(s));
    summaries.add(OrchestratorLoad.run(s));
    summaries.addAll(AsyncLatency.run(s));
    summaries.add(ScaleBench.run(s));
  }

  static Path jar(Args a) {
    return Path.of(a.text("jar", ChildOrchestrator.DEFAULT_JAR));
  }

  static List<String> orchestratorJvm(Args a) {
    String v = a.text("orchestrator-jvm", "");
    return v.isBlank() ? List.of() : List.of(v.trim().split("\\s+"));
  }

  static String machine() {
    Runtime rt = Runtime.getRuntime();
    double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    return String.format("%nMachine: %d CPUs, %s %s, Java %s (%s), load average %.2f at start%n",
        rt.availableProcessors(), System.getProperty("os.name"), System.getProperty("os.arch"),
        System.getProperty("java.version"), System.getProperty("java.vm.name"), load);
  }

  /** CPU time of this JVM so far, in seconds. */
  static double ownCpuSeconds() {
    java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      return sun.getProcessCpuTime() / 1e9;
    }
    return Double.NaN;
  }

  static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException ignored) {
          // best effort: a temporary folder
        }
      });
    } catch (IOException ignored) {
      // best effort
    }
  }
}

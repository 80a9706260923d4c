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
import java.util.stream.Stream;

/**
 * Entry point of {@code stephttp-benchmarks.jar}:
 * {@code java -jar benchmarks/target/stephttp-benchmarks.jar <step|filter|orchestrator|async|scale|soak|all> [options]}.
 * Prints one Markdown table per measurement on standard output (progress on standard error).
 * Common options: {@code --jar PATH} (orchestrator jar, default
 * {@value ChildOrchestrator#DEFAULT_JAR}), {@code --orchestrator-jvm "-Xmx1g ..."},
 * {@code --rounds N}, {@code --short} (with {@code all}: a quick version of everything),
 * {@code --out FILE} (append the tables to a file).
 */
public final class Bench {
  private Bench() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0 || args[0].equals("--help")) {
      System.out.println("usage: java -jar stephttp-benchmarks.jar"
          + " <step|filter|orchestrator|async|scale|soak|all> [--short] [--rounds N] [--jar PATH]"
          + " [--out FILE] [options of the measurement, see BENCHMARKS.md]");
      return;
    }
    String what = args[0];
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    Args a = new Args(rest);
    long t0 = System.nanoTime();
    List<String> tables = new ArrayList<>();
    tables.add(machine());
    boolean failed = false;
    switch (what) {
      case "step" -> tables.add(StepRunner.run(a).markdown());
      case "soak" -> {
        Soak.Result r = Soak.run(a);
        tables.add(r.markdown());
        failed = !r.ok();
      }
      case "filter" -> tables.add(FilterLoad.run(a).markdown());
      case "orchestrator" -> tables.add(OrchestratorLoad.run(a).markdown());
      case "async" -> AsyncLatency.run(a).forEach(s -> tables.add(s.markdown()));
      case "scale" -> tables.add(ScaleBench.run(a).markdown());
      case "all" -> all(a, tables);
      default -> throw new IllegalArgumentException("unknown benchmark " + what);
    }
    tables.add(String.format("%n(%s took %.0f s)%n", what, (System.nanoTime() - t0) / 1e9));
    String text = String.join("", tables);
    System.out.println(text);
    String out = a.text("out", null);
    if (out != null) {
      Files.writeString(Path.of(out), text, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    }
    if (failed) {
      System.exit(1);
    }
  }

  /** Everything in sequence; with {@code --short} small parameters (under 10 minutes). */
  private static void all(Args a, List<String> tables) throws Exception {
    boolean quick = a.flag("short");
    Args s = quick ? a.withDefaults("--rounds", "1", "--forks", "1", "--warmup-iterations", "1",
        "--iterations", "2", "--iteration-s", "1", "--warmup-ms", "2000", "--measure-ms", "4000",
        "--sleep-runs", "500", "--sleep-spread-ms", "3000", "--output-runs", "100",
        "--event-samples", "50", "--event-pending", "10000", "--runs", "10000") : a;
    tables.add(StepRunner.run(s).markdown());
    tables.add(FilterLoad.run(s).markdown());
    tables.add(OrchestratorLoad.run(s).markdown());
    AsyncLatency.run(s).forEach(t -> tables.add(t.markdown()));
    tables.add(ScaleBench.run(s).markdown());
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

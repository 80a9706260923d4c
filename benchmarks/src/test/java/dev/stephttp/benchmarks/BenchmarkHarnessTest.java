package dev.stephttp.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Timeout;

/**
 * Smoke test: every benchmark harness runs end to end with tiny parameters (this measures
 * nothing; the figures come from {@code java -jar stephttp-benchmarks.jar}, see BENCHMARKS.md).
 */
@Timeout(120)
class BenchmarkHarnessTest {
  private static String jar() {
    String jar = System.getProperty("stephttp.orchestrator.jar", ChildOrchestrator.DEFAULT_JAR);
    assumeTrue(Files.isRegularFile(Path.of(jar)), "orchestrator jar not built: " + jar);
    return jar;
  }

  private static Args args(String... more) {
    String[] common = {"--jar", jar(), "--rounds", "1", "--warmup-ms", "200", "--measure-ms",
        "500", "--orchestrator-jvm", "-Xmx256m -XX:TieredStopAtLevel=1"};
    String[] all = new String[common.length + more.length];
    System.arraycopy(common, 0, all, 0, common.length);
    System.arraycopy(more, 0, all, common.length, more.length);
    return new Args(all);
  }

  @Test
  void stepBenchmarkRunsInProcess() throws Exception {
    Summary s = StepRunner.run(new Args(new String[] {"--forks", "0", "--warmup-iterations",
        "0", "--iterations", "1", "--iteration-s", "1"}));
    assertThat(s.median("stepRun (small)", "ns/step")).isPositive();
  }

  @Test
  void filterCostMeasuresEachRequestInProcess() throws Exception {
    Summary s = FilterCost.run(new Args(new String[] {"--forks", "0", "--warmup-iterations",
        "0", "--iterations", "1", "--iteration-s", "1"}));
    for (String row : new String[] {"GET /plain", "GET /filtered", "POST /plain", "POST /filtered"}) {
      assertThat(s.median(row, FilterCost.CPU)).as(row).isPositive();
      assertThat(s.median(row, FilterCost.ELAPSED)).as(row).isPositive();
    }
    assertThat(s.median("GET /filtered", FilterCost.RATIO)).isPositive();
    assertThat(s.median("GET /plain", FilterCost.ADDS)).isNaN();
  }

  @Test
  void filterCostComparesCpuTimePerRequestWithinARound() {
    Summary s = new Summary("t", List.of(FilterCost.CPU, FilterCost.ELAPSED,
        FilterCost.ADDS, FilterCost.RATIO));
    // plain: 4 ms of CPU for 1000 requests; filtered: 6 ms for 1000 (elapsed figures as JMH gives them)
    FilterCost.add(s, "GET", new double[] {4_000_000, 1000, 5000}, new double[] {6_000_000, 1000, 9000});
    assertThat(s.median("GET /plain", FilterCost.CPU)).isEqualTo(4000.0);
    assertThat(s.median("GET /filtered", FilterCost.CPU)).isEqualTo(6000.0);
    assertThat(s.median("GET /filtered", FilterCost.ELAPSED)).isEqualTo(9000.0);
    assertThat(s.median("GET /filtered", FilterCost.ADDS)).isEqualTo(2.0);
    assertThat(s.median("GET /filtered", FilterCost.RATIO)).isCloseTo(4.0 / 6, within(1e-9));
  }

  @Test
  void filterLoadMeasuresThreeServlets() throws Exception {
    Summary s = FilterLoad.run(args("--connections", "2"));
    assertThat(s.median("/plain", "req/s")).isPositive();
    assertThat(s.median("/steps", "req/s")).isPositive();
    assertThat(s.median("/steps", "errors")).isZero();
  }

  @Test
  void filterLoadAtAFixedRateCountsLostRuns() throws Exception {
    Summary s = FilterLoad.run(args("--connections", "4", "--rate", "100", "--paths",
        "/plain,/steps,/durable,/steps-eager"));
    assertThat(s.markdown()).contains("fixed rate 100/s").doesNotContain("/filtered");
    for (String path : new String[] {"/plain", "/steps", "/durable", "/steps-eager"}) {
      // 100/s over 0.5 s: about 50 requests, each timed from its due time
      assertThat(s.median(path, "req/s")).isBetween(20.0, 200.0);
      assertThat(s.median(path, "p50 ms")).isPositive();
      assertThat(s.median(path, "max ms")).isGreaterThanOrEqualTo(s.median(path, "p99 ms"));
      assertThat(s.median(path, "p99 ms")).isGreaterThanOrEqualTo(s.median(path, "p90 ms"));
      assertThat(s.median(path, "errors")).isZero();
      assertThat(s.median(path, "unsent")).isZero();
    }
    // far below what the orchestrator takes: every run served is stored and completed
    for (String path : new String[] {"/steps", "/durable", "/steps-eager"}) {
      assertThat(s.median(path, "runs recorded %")).isEqualTo(100.0);
      assertThat(s.median(path, "runs lost")).isZero();
      assertThat(s.median(path, "runs incomplete")).isZero();
    }
  }

  @Test
  void rawFiguresOfSeparateRunsAddUpToOneComparison() {
    Summary one = new Summary("t", List.of("req/s", "p99 ms"));
    one.add("limit", "p99 ms", 1); // the first cell is of the second column
    one.add("/plain", "req/s", 100);
    Summary two = new Summary("t", List.of("req/s", "p99 ms"));
    two.add("/plain", "req/s", 300);
    String raw = one.raw("before") + two.raw("after") + one.raw("before") + two.raw("after");
    String tables = Bench.tables(raw.lines().toList());
    assertThat(tables).contains("## before", "## after", "## before vs after",
        "| | req/s | p99 ms |\n", "| limit | – | 1.00 [1.00 – 1.00] |",
        "| /plain | req/s | 100 [100 – 100] | 300 [300 – 300] | 3.00× |");
  }

  @Test
  void jfrProfileTalliesTheSamplesOfARecording(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("busy.jfr");
    long sink = 0;
    try (Recording r = new Recording()) {
      r.enable("jdk.ExecutionSample").withPeriod(java.time.Duration.ofMillis(10));
      r.start();
      long until = System.nanoTime() + 3_000_000_000L;
      while (System.nanoTime() < until) {
        sink += busyWork();
      }
      r.stop();
      r.dump(file);
    }
    String out = JfrProfile.run(file, 0);
    assertThat(sink).isNotZero();
    assertThat(out).contains("Java samples: top 15 frames (self)", "by package group",
        "| `BenchmarkHarnessTest` |", "by thread");
    java.util.regex.Matcher m = java.util.regex.Pattern
        .compile("top 15 frames \\(self\\) \\((\\d+) samples\\)").matcher(out);
    assertThat(m.find()).isTrue();
    assertThat(Integer.parseInt(m.group(1))).isPositive();
  }

  private static long busyWork() {
    long h = 0;
    for (int i = 0; i < 10_000; i++) {
      h = h * 31 + Long.toString(i).hashCode();
    }
    return h;
  }

  @Test
  void orchestratorLoadCompletesRuns() throws Exception {
    Summary s = OrchestratorLoad.run(args("--connections", "4", "--modes", "one-call,pipelined",
        "--skip-no-group-commit", "--fsync-samples", "20"));
    for (String row : List.of("one-call (1 req/run), group commit on", "pipelined (2 req/run), group commit on")) {
      assertThat(s.median(row, "runs/s")).as(row).isPositive();
      assertThat(s.median(row, "× HTTP ceiling")).as(row).isPositive();
      assertThat(s.median(row, "errors")).as(row).isZero();
    }
    double oneCall = s.median("one-call (1 req/run), group commit on", "runs/s");
    assertThat(s.median("one-call (1 req/run), group commit on", "HTTP req/s")).isEqualTo(oneCall);
  }

  @Test
  void orchestratorLoadRefusesAnUnknownMode() {
    assertThatThrownBy(() -> OrchestratorLoad.run(args("--modes", "pipelined,fast", "--skip-limits")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one-call, pipelined, unbatched");
  }

  @Test
  void asyncLatenciesAreMeasured() throws Exception {
    Summary s = AsyncLatency.run(args("--sleep-runs", "20", "--sleep-lead-ms", "1500",
        "--sleep-spread-ms", "500", "--sleep-warmup-runs", "10", "--output-runs", "5", "--output-concurrency", "2",
        "--event-pending", "50", "--event-samples", "5")).get(0);
    assertThat(s.markdown()).contains("(a) sleep", "(b) RunComplete", "(c) POST /e");
    assertThat(s.median("(c) POST /e → re-entry, 50 other waits on the event", "samples"))
        .isEqualTo(5);
  }

  @Test
  void scaleRestartsAndFiresEverySleep() throws Exception {
    Summary s = ScaleBench.run(args("--runs", "200", "--due-ms", "10000", "--connections", "4"));
    assertThat(s.median("200 sleeps", "fired")).isEqualTo(200);
  }
}
